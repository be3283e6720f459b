// $disclosures as one audited step: read the query, check who asks, collect her report, record the asking.
import { actorFromPrincipal, auditingRefusals, describeRefusal } from '../audit/index.js';
import type { SurvivorIdentifier } from '../consent/index.js';
import type { Clock, Principal } from '../kernel/index.js';
import type { Store } from '../store/index.js';
import { checkMayAsk } from './check-may-ask.js';
import { collectDisclosures } from './collect-disclosures.js';
import { readDisclosureQuery, type DisclosureQuery } from './read-disclosure-query.js';
import { buildReportRequestEvent } from './report-request-audit.js';
import type { DisclosureReport } from './types.js';

export interface DisclosureDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** Her pseudonyms under every key, current first. */
  readonly pseudonymize: (identifier: SurvivorIdentifier) => readonly string[];
}

export interface DisclosureRequest {
  readonly principal: Principal;
  readonly query: URLSearchParams;
  readonly requestId: string;
  /** The media type the answer will take, for the audit record. */
  readonly mediaType: string;
}

export interface DisclosureAnswer {
  readonly query: DisclosureQuery;
  readonly report: DisclosureReport;
}

/**
 * Why the audit record in the report's own transaction: an answer leaves only with its record, and
 * a record that cannot be written fails the request. Refusals, the 404 that hides her included,
 * are recorded after the rollback (auditingRefusals).
 */
export async function answerDisclosureRequest(
  deps: DisclosureDeps,
  request: DisclosureRequest,
): Promise<DisclosureAnswer> {
  const actor = actorFromPrincipal(request.principal);
  let pseudonyms: readonly string[] = [];
  const event = (extra: { refusal?: string; answered?: { entries: number; mediaType: string } }) =>
    buildReportRequestEvent({
      actor,
      recorded: deps.clock(),
      requestId: request.requestId,
      pseudonyms,
      ...extra,
    });
  return auditingRefusals(
    deps.store,
    (error) => event({ refusal: describeRefusal(error) }),
    async () => {
      const query = readDisclosureQuery(request.query, deps.pseudonymize);
      pseudonyms = query.pseudonyms;
      const report = await deps.store.transaction(async (unit) => {
        await checkMayAsk(unit.db, request.principal, pseudonyms);
        const collected = await collectDisclosures(unit.db, pseudonyms, deps.clock());
        // Appended last: on PostgreSQL the append holds the trail's sequence row until commit.
        await unit.audit.append(
          event({ answered: { entries: collected.entries.length, mediaType: request.mediaType } }),
        );
        return collected;
      });
      return { query, report };
    },
  );
}
