// Finds a survivor's consents by the identifier a partner holds, under every pseudonym key; audited.
import { actorFromPrincipal, auditingRefusals, describeRefusal } from '../../audit/index.js';
import { sealedCursors } from '../../crypto/index.js';
import {
  keysetPage,
  searchDigest,
  type SearchParamDeclaration,
  type SearchPaging,
} from '../../fhir/index.js';
import { GatewayError } from '../../kernel/index.js';
import type { SurvivorIdentifier } from '../types.js';
import { buildConsentAuditEvent } from './consent-audit.js';
import type {
  ConsentCaller,
  ConsentContext,
  ConsentRecord,
  ConsentStatus,
} from './consent-record.js';
import { findConsentsOf } from './consent-repository.js';
import { canSeeConsent } from './consent-visibility.js';

export const consentSearchParams = ['patient', 'status'] as const;

/** The parameters as the CapabilityStatement documents them, beside the code that reads them. */
export const CONSENT_SEARCH_PARAM_DOCS: readonly SearchParamDeclaration[] = [
  {
    name: 'patient',
    type: 'token',
    documentation:
      'Required (except beside a _cursor, which carries it): the identifier your institution holds for her, <system>|<value>; matched by pseudonym',
  },
  { name: 'status', type: 'token', documentation: 'active or inactive' },
];

/** A survivor has few consents, all read to filter who may see them: the total is cheap. */
export const CONSENT_SEARCH_PAGING: SearchPaging = {
  sorts: ['-_lastUpdated', '_lastUpdated'],
  limits: { defaultCount: 50, maxCount: 200 },
  total: true,
};

export interface ConsentSearch {
  /** The raw `patient` parameter, `<system>|<value>`; may be absent when `cursor` continues a search. */
  readonly patient: string | undefined;
  readonly status: string | undefined;
  readonly count: number;
  /** One of CONSENT_SEARCH_PAGING's sorts. */
  readonly sort: string;
  readonly cursor?: string;
}

export interface ConsentPage {
  readonly records: readonly ConsentRecord[];
  /** How many of her consents the caller may see in all. */
  readonly total: number;
  readonly next?: string;
}

/**
 * The position of a consent search: the last consent's update time and id, and her pseudonyms.
 * Why the pseudonyms ride in the sealed cursor: a next link must never repeat her identifier,
 * so the link leaves `patient` out and the cursor says whose consents it continues.
 */
interface ConsentPosition {
  readonly key: string;
  readonly id: string;
  readonly pseudonyms: readonly string[];
}

const readPosition = ({
  key,
  id,
  pseudonyms,
}: Readonly<Record<string, unknown>>): ConsentPosition | undefined =>
  typeof key === 'string' &&
  typeof id === 'string' &&
  Array.isArray(pseudonyms) &&
  pseudonyms.length > 0 &&
  pseudonyms.every((value) => typeof value === 'string')
    ? { key, id, pseudonyms }
    : undefined;

const cursorInvalid = (): GatewayError =>
  new GatewayError(
    'ENLACE_SEARCH_CURSOR_INVALID',
    '_cursor is not a cursor this server issued for this search; start the search again.',
    { expression: ['_cursor'] },
  );

const samePseudonyms = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** `<system>|<value>`, both required: a bare value could match another institution's numbering. */
function readPatientToken(token: string | undefined): SurvivorIdentifier {
  const bar = token?.indexOf('|') ?? -1;
  const system = token?.slice(0, bar) ?? '';
  const value = token?.slice(bar + 1) ?? '';
  if (token === undefined || bar < 1 || value === '' || token.length > 400) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      'patient is required as <identifier system>|<identifier value>.',
      { expression: ['patient'] },
    );
  }
  return { system, value };
}

function readStatus(status: string | undefined): ConsentStatus | undefined {
  if (status === undefined || status === 'active' || status === 'inactive') return status;
  throw new GatewayError('ENLACE_INVALID_PARAMETER', 'status must be active or inactive.', {
    expression: ['status'],
  });
}

/**
 * One page of this survivor's consents the caller may see, in the search's order. They are few
 * and all read (visibility is decided per consent), so the page is cut from them by keyset:
 * the cursor holds the last consent's position, never an offset.
 */
export async function searchConsents(
  search: ConsentSearch,
  caller: ConsentCaller,
  ctx: ConsentContext,
): Promise<ConsentPage> {
  const now = ctx.clock();
  const actor = actorFromPrincipal(caller.principal);
  const requestId = caller.requestId === undefined ? {} : { requestId: caller.requestId };
  const description = `Consent search${search.status === undefined ? '' : ` status=${search.status.slice(0, 16)}`}`;
  return auditingRefusals(
    ctx.store,
    (error) =>
      buildConsentAuditEvent({
        interaction: 'search',
        actor,
        recorded: now,
        description,
        refusal: describeRefusal(error),
        ...requestId,
      }),
    async () => {
      const status = readStatus(search.status);
      // Why: the query is pseudonymised under every configured key so consents recorded before a
      // key rotation are still found; the identifier itself is neither stored nor audited.
      const asked =
        search.patient === undefined && search.cursor !== undefined
          ? undefined
          : ctx.pseudonymizer
              .all(readPatientToken(search.patient))
              .map((pseudonym) => pseudonym.value);
      const descending = search.sort.startsWith('-');
      const before = (a: ConsentRecord, b: ConsentRecord): number => {
        const order = a.updatedAt.localeCompare(b.updatedAt) || a.id.localeCompare(b.id);
        return descending ? -order : order;
      };
      return ctx.store.transaction(async (unit) => {
        let pseudonyms: readonly string[] = asked ?? [];
        let total = 0;
        const page = await keysetPage({
          cursors: sealedCursors(ctx.vault, 'enlace:consent-search-cursor:v1', readPosition, {
            clock: ctx.clock,
          }),
          owner: caller.principal.partnerId,
          search: searchDigest([status ?? null, search.sort]),
          cursor: search.cursor,
          count: search.count,
          positionOf: (record: ConsentRecord) => ({
            key: record.updatedAt,
            id: record.id,
            pseudonyms,
          }),
          fetch: async (after, limit) => {
            // Why: a cursor continues the survivor it was issued for, and only her.
            if (
              after !== undefined &&
              asked !== undefined &&
              !samePseudonyms(after.pseudonyms, asked)
            ) {
              throw cursorInvalid();
            }
            pseudonyms = after?.pseudonyms ?? pseudonyms;
            const found = await findConsentsOf(unit.db, ctx.vault, pseudonyms, status);
            const visible = found
              .filter((record) => canSeeConsent(record, caller.principal.partnerId))
              .sort(before);
            total = visible.length;
            const past =
              after === undefined
                ? visible
                : visible.filter(
                    (record) =>
                      before(record, { ...record, updatedAt: after.key, id: after.id }) > 0,
                  );
            return past.slice(0, limit);
          },
        });
        await unit.audit.append(
          buildConsentAuditEvent({
            interaction: 'search',
            actor,
            recorded: now,
            description: `${description}: ${page.rows.length} match(es)`,
            ...(pseudonyms[0] === undefined ? {} : { pseudonym: pseudonyms[0] }),
            ...requestId,
          }),
        );
        return {
          records: page.rows,
          total,
          ...(page.next === undefined ? {} : { next: page.next }),
        };
      });
    },
  );
}
