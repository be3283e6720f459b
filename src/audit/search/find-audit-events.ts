// Runs an AuditEvent search on either engine: filters from the ledger's indexes, one keyset page on seq.
import type { AuditEvent } from '@medplum/fhirtypes';
import { sql, type Kysely } from 'kysely';
import type { PayloadVault } from '../../crypto/index.js';
import { keysetPage } from '../../fhir/index.js';
import type { Clock } from '../../kernel/index.js';
import type { Database } from '../../store/index.js';
import type { Dialect } from '../../store/ports.js';
import { auditCursors } from './audit-search-cursor.js';
import { AUDIT_SEARCH_LIMITS, type AuditSearch } from './audit-search.js';
import { recordedWithin, refMatches, tokenMatches } from './filter-conditions.js';
import { invalidParameter } from './invalid-parameter.js';
import { searchDigest } from './search-query.js';

const MAX_COUNT = AUDIT_SEARCH_LIMITS.maxCount;

export interface AuditSearchDeps {
  readonly vault: PayloadVault;
  readonly dialect: Dialect;
  readonly clock: Clock;
}

export interface AuditEventPage {
  readonly events: readonly AuditEvent[];
  /** The cursor of the next page, only when at least one more event matches. */
  readonly next?: string;
}

/**
 * Why the ledger position (seq) orders and pages: it is unique, gapless and commit-ordered, so a
 * keyset on it never drops or repeats a row, even while events are appended between pages; and
 * every index ends in seq, so each filter reads its matches already in page order. A date range
 * is the exception: its index is in `recorded` order, so its matches are sorted by seq first.
 */
export async function findAuditEvents(
  db: Kysely<Database>,
  deps: AuditSearchDeps,
  caller: string,
  search: AuditSearch,
): Promise<AuditEventPage> {
  if (!Number.isInteger(search.count) || search.count < 0 || search.count > MAX_COUNT) {
    throw invalidParameter('_count', `must be an integer from 0 to ${MAX_COUNT}`);
  }
  const page = await keysetPage({
    cursors: auditCursors(deps.vault, deps.clock),
    owner: caller,
    search: searchDigest(search),
    cursor: search.cursor,
    count: search.count,
    positionOf: (row: { seq: number; resource: string }) => ({ seq: row.seq }),
    fetch: (after, limit) => {
      // Why two steps: the seqs of the page are found from the indexes alone (the (recorded, seq)
      // index covers a date range), and only the page's rows are read with their resource.
      // One value only: an event naming two of the values would come twice and shorten the page.
      const driver = search.refs.find((filter) => filter.values.length === 1);
      const otherRefs = search.refs.filter((filter) => filter !== driver);
      const conditions = (eb: Parameters<typeof refMatches>[0]) => [
        ...recordedWithin(eb, search.recorded),
        ...search.tokens.map((filter) => tokenMatches(eb, deps.dialect, filter)),
        ...otherRefs.map((filter) => refMatches(eb, filter)),
      ];
      const op = search.order === 'asc' ? '>' : '<';
      // Why a reference drives when there is one: its (kind, value, seq) key lists that agent's or
      // patient's events already in seq order, so a page reads its rows and stops, however many
      // events the agent has; as `seq IN (…)` both engines gathered every match and sorted it
      // (an oversight body's own agent matches nearly the whole log).
      // Why a literal limit: with `LIMIT ?` SQLite plans for an unknown limit and scans the whole
      // log in seq order instead of the date index; the limit is a checked integer up to 1001.
      const matching =
        driver === undefined
          ? db
              .selectFrom('audit_event')
              .select('seq')
              .where((eb) =>
                eb.and([
                  ...conditions(eb),
                  ...(after === undefined ? [] : [eb('seq', op, after.seq)]),
                ]),
              )
              .orderBy('seq', search.order)
              .limit(sql.lit(limit))
          : db
              .selectFrom('audit_event_ref')
              .innerJoin('audit_event', 'audit_event.seq', 'audit_event_ref.seq')
              .select('audit_event_ref.seq')
              .where('audit_event_ref.kind', '=', driver.kind)
              .where('audit_event_ref.value', '=', driver.values[0] ?? '')
              .where((eb) =>
                eb.and([
                  ...conditions(eb as unknown as Parameters<typeof refMatches>[0]),
                  ...(after === undefined ? [] : [eb('audit_event_ref.seq', op, after.seq)]),
                ]),
              )
              .orderBy('audit_event_ref.seq', search.order)
              .limit(sql.lit(limit));
      return db
        .selectFrom('audit_event')
        .select(['seq', 'resource'])
        .where('seq', 'in', matching)
        .orderBy('seq', search.order)
        .execute();
    },
  });
  const events = page.rows.map((row) => JSON.parse(row.resource) as AuditEvent);
  return page.next === undefined ? { events } : { events, next: page.next };
}
