// Claims due deliveries with a lease, so two gateway instances never push the same row at once.
import type { Store } from '../../store/index.js';
import type { DeliveryRow } from './delivery-record.js';

/** A row this instance holds until `leaseUntil`; every later write is conditioned on that lease. */
export interface ClaimedDelivery {
  readonly row: DeliveryRow;
  readonly leaseUntil: number;
}

/**
 * Due rows of recipients with an active push endpoint, each the earliest still pending of its
 * referral and recipient. Why per referral and recipient, not per recipient: a recipient's Task
 * updates must arrive in order, but one referral whose pushes keep failing must not hold back
 * every other referral going to that recipient, nor any other recipient.
 */
export async function claimDueDeliveries(
  store: Store,
  now: number,
  options: { readonly leaseMs: number; readonly limit: number },
): Promise<ClaimedDelivery[]> {
  const leaseUntil = now + options.leaseMs;
  return store.transaction(async ({ db }) => {
    const due = await db
      .selectFrom('delivery')
      .select('delivery.id')
      .where('delivery.status', '=', 'pending')
      .where('delivery.next_attempt_at', '<=', now)
      .where((eb) =>
        eb.or([eb('delivery.lease_until', 'is', null), eb('delivery.lease_until', '<', now)]),
      )
      // Why: a delivery is not attempted while an earlier one about the same referral to the same
      // recipient is pending (a dead one no longer holds the line: the sequence shows the gap).
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('delivery as earlier')
              .select('earlier.id')
              .whereRef('earlier.referral_id', '=', 'delivery.referral_id')
              .whereRef('earlier.recipient', '=', 'delivery.recipient')
              .whereRef('earlier.referral_seq', '<', 'delivery.referral_seq')
              .where('earlier.status', '=', 'pending'),
          ),
        ),
      )
      // Without a push endpoint the institution pulls its notices (GET /fhir/$notices): nothing
      // is attempted, nothing is dead-lettered, and what it has not acknowledged waits for it.
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('partner_endpoint')
            .select('partner_endpoint.id')
            .whereRef('partner_endpoint.partner_id', '=', 'delivery.recipient')
            .where('partner_endpoint.status', '=', 'active'),
        ),
      )
      .orderBy('delivery.next_attempt_at')
      .orderBy('delivery.id')
      .limit(options.limit)
      // Why SKIP LOCKED: instances polling at once each take rows no other is taking, instead of
      // queueing on the same locks and then finding them leased. SQLite has one writer at a time:
      // its transaction (BEGIN IMMEDIATE) already keeps every other claim out.
      .$if(store.dialect === 'postgres', (query) => query.forUpdate().skipLocked())
      .execute();
    if (due.length === 0) return [];
    // Why the ids as a list, not the query as a subquery of the update: PostgreSQL may run a
    // LIMIT … SKIP LOCKED subquery more than once in one statement, each time taking other rows,
    // and so lease far more than a batch. The rows stay locked until this transaction commits; the
    // lease is re-checked anyway, so of two claims that both saw a row free exactly one takes it.
    const rows = await db
      .updateTable('delivery')
      .set({ lease_until: leaseUntil })
      .where(
        'id',
        'in',
        due.map((row) => row.id),
      )
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .returningAll()
      .execute();
    return rows
      .sort((a, b) => a.next_attempt_at - b.next_attempt_at || (a.id < b.id ? -1 : 1))
      .map((row) => ({ row, leaseUntil }));
  });
}
