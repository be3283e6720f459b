// Routes of the auditors' FHIR AuditEvent search and read; every call, refused or not, leaves its own AuditEvent.
import { auditingRefusals, describeRefusal } from '../audit/index.js';
import {
  AUDIT_SEARCH_PAGING,
  AUDIT_SEARCH_PARAM_DOCS,
  buildAuditorAccessEvent,
  findAuditEvents,
  isAuditEventId,
  parameterNames,
  pseudonymsIn,
  readAuditEvent,
  readAuditSearch,
  toAuditedQuery,
  toSearchQuery,
  type AuditorAccessInput,
  type AuditSearch,
  type Pseudonymize,
} from '../audit/search/index.js';
import { buildSearchSet } from '../fhir/index.js';
import { auditorAccess, auditorOf } from './auditor-access.js';
import { answerRead } from './conditional-read.js';
import type { RequestContext, Route } from './route.js';
import type { AppServices } from './services.js';

export type AuditEventRouteDeps = Pick<
  AppServices,
  'store' | 'clock' | 'config' | 'vault' | 'consent'
>;

const patientPseudonyms = (search: AuditSearch): string[] => [
  ...new Set(search.refs.filter((ref) => ref.kind === 'patient').flatMap((ref) => ref.values)),
];

export function auditEventRoutes(deps: AuditEventRouteDeps): Route[] {
  const fhirBase = `${deps.config.publicUrl}/fhir`;
  const searchDeps = { vault: deps.vault, dialect: deps.store.dialect, clock: deps.clock };
  const pseudonymize: Pseudonymize = (identifier) =>
    deps.consent.pseudonymizer.all(identifier).map((pseudonym) => pseudonym.value);
  const recorder =
    (ctx: RequestContext, interaction: AuditorAccessInput['interaction']) =>
    (details: Partial<AuditorAccessInput>) =>
      buildAuditorAccessEvent({
        interaction,
        actor: auditorOf(ctx).actor,
        recorded: deps.clock(),
        requestId: ctx.requestId,
        ...details,
      });
  return [
    {
      method: 'GET',
      path: '/fhir/AuditEvent',
      operationId: 'searchAuditEvent',
      access: auditorAccess('system/AuditEvent.s'),
      fhir: {
        kind: 'interaction',
        resource: 'AuditEvent',
        interaction: 'search-type',
        searchParams: AUDIT_SEARCH_PARAM_DOCS,
        paging: AUDIT_SEARCH_PAGING,
      },
      handler: async (ctx) => {
        const caller = auditorOf(ctx);
        const record = recorder(ctx, 'search');
        // Why a refusal is recorded too: an auditor probing with malformed or foreign cursors is
        // itself something the oversight of auditors must see.
        const { search, page } = await auditingRefusals(
          deps.store,
          (error) =>
            record({ parameterNames: parameterNames(ctx.query), refusal: describeRefusal(error) }),
          async () => {
            const search = readAuditSearch(ctx.query, pseudonymize);
            const page = await deps.store.transaction(async (unit) => {
              const found = await findAuditEvents(unit.db, searchDeps, caller.id, search);
              await unit.audit.append(
                record({
                  query: toAuditedQuery(search),
                  matched: found.events.length,
                  pseudonyms: patientPseudonyms(search),
                }),
              );
              return found;
            });
            return { search, page };
          },
        );
        return {
          body: buildSearchSet(
            page.events,
            {
              url: `${fhirBase}/AuditEvent`,
              // Re-spelt, not echoed: the links never carry an identifier the auditor typed.
              query: toSearchQuery(search),
              ...(search.cursor === undefined ? {} : { cursor: search.cursor }),
              ...(page.next === undefined ? {} : { next: page.next }),
            },
            fhirBase,
          ),
        };
      },
    },
    {
      method: 'GET',
      path: '/fhir/AuditEvent/:id',
      operationId: 'readAuditEvent',
      access: auditorAccess('system/AuditEvent.r'),
      fhir: { kind: 'interaction', resource: 'AuditEvent', interaction: 'read' },
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        const record = recorder(ctx, 'read');
        const target = isAuditEventId(id) ? { eventId: id } : {};
        const event = await auditingRefusals(
          deps.store,
          (error) => record({ ...target, refusal: describeRefusal(error) }),
          () =>
            deps.store.transaction(async (unit) => {
              const found = await readAuditEvent(unit.db, id);
              await unit.audit.append(record({ ...target, pseudonyms: pseudonymsIn(found) }));
              return found;
            }),
        );
        // Why version 1 always: an AuditEvent is never changed (the database refuses it). Why no
        // meta is added to the body: the body is the log's leaf, and must hash to its leaf_hash.
        return answerRead(ctx, event, { versionId: '1', lastUpdated: event.recorded });
      },
    },
  ];
}
