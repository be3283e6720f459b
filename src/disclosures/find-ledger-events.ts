// Finds the ledger's successful AuditEvents that concern her: by pseudonym, or naming one of her referrals.
import type { AuditEvent } from '@medplum/fhirtypes';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.js';

/** The most recent events read for one report; older ones are left out and the report says so. */
export const MAX_LEDGER_EVENTS = 5000;

export interface LedgerEvent {
  readonly seq: number;
  readonly event: AuditEvent;
}

export interface LedgerEvents {
  /** Oldest first. */
  readonly events: readonly LedgerEvent[];
  readonly truncated: boolean;
}

/**
 * Why also by `Task/<id>` and `Bundle/<id>`: reads and retrievals recorded before they carried her
 * pseudonym name only the referral. Why successes only (plus operations, among them consent
 * evaluations that answered "deny"): a refusal is the gateway keeping her data, not a disclosure
 * of it; auditors find refusals in the ledger search. classifyEvent drops refused operations.
 */
export async function findLedgerEvents(
  db: Kysely<Database>,
  pseudonyms: readonly string[],
  referralIds: readonly string[],
): Promise<LedgerEvents> {
  if (pseudonyms.length === 0) return { events: [], truncated: false };
  const entities = referralIds.flatMap((id) => [`Task/${id}`, `Bundle/${id}`]);
  const matching = db
    .selectFrom('audit_event_ref')
    .select('seq')
    .where((eb) =>
      eb.or([
        eb.and([eb('kind', '=', 'patient'), eb('value', 'in', [...pseudonyms])]),
        ...(entities.length === 0
          ? []
          : [eb.and([eb('kind', '=', 'entity'), eb('value', 'in', entities)])]),
      ]),
    );
  const rows = await db
    .selectFrom('audit_event')
    .select(['seq', 'resource'])
    .where('seq', 'in', matching)
    .where((eb) =>
      eb.or([
        eb('outcome', '=', '0'),
        // A consent evaluation answered "deny" is recorded as outcome 4, yet it read her consent.
        eb.and([
          eb('outcome', '=', '4'),
          eb('type_code', '=', 'rest'),
          eb('subtype_code', '=', 'operation'),
        ]),
      ]),
    )
    .orderBy('seq', 'desc')
    // A validated constant, as a literal so SQLite plans for it (see find-audit-events.ts).
    .limit(sql.lit(MAX_LEDGER_EVENTS + 1))
    .execute();
  const kept = rows.slice(0, MAX_LEDGER_EVENTS).reverse();
  return {
    events: kept.map((row) => ({ seq: row.seq, event: JSON.parse(row.resource) as AuditEvent })),
    truncated: rows.length > MAX_LEDGER_EVENTS,
  };
}
