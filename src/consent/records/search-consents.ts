// Finds a survivor's consents by the identifier a partner holds, under every pseudonym key; audited.
import { actorFromPrincipal, auditingRefusals, describeRefusal } from '../../audit/index.js';
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

export interface ConsentSearch {
  /** The raw `patient` parameter, `<system>|<value>`. */
  readonly patient: string | undefined;
  readonly status: string | undefined;
  readonly count: number;
}

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

/** The consents of this survivor the caller may see, newest first, at most `count`. */
export async function searchConsents(
  search: ConsentSearch,
  caller: ConsentCaller,
  ctx: ConsentContext,
): Promise<ConsentRecord[]> {
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
      const identifier = readPatientToken(search.patient);
      const status = readStatus(search.status);
      // Why: the query is pseudonymised under every configured key so consents recorded before a
      // key rotation are still found; the identifier itself is neither stored nor audited.
      const pseudonyms = ctx.pseudonymizer.all(identifier).map((pseudonym) => pseudonym.value);
      return ctx.store.transaction(async (unit) => {
        const found = await findConsentsOf(unit.db, pseudonyms, status);
        const visible = found
          .filter((record) => canSeeConsent(record, caller.principal.partnerId))
          .slice(0, search.count);
        await unit.audit.append(
          buildConsentAuditEvent({
            interaction: 'search',
            actor,
            recorded: now,
            description: `${description}: ${visible.length} match(es)`,
            ...(pseudonyms[0] === undefined ? {} : { pseudonym: pseudonyms[0] }),
            ...requestId,
          }),
        );
        return visible;
      });
    },
  );
}
