// Claims due deliveries with a lease, so two gateway instances never push the same row at once.
import type { Store } from '../../store/index.js';
import type { DeliveryRow } from './delivery-record.js';

/** A row this instance holds until `leaseUntil`; every later write is conditioned on that lease. */
export interface ClaimedDelivery {
  readonly row: DeliveryRow;
  readonly leaseUntil: number;
}

export async function claimDueDeliveries(
  store: Store,
  now: number,
  options: { readonly leaseMs: number; readonly limit: number },
): Promise<ClaimedDelivery[]> {
  const candidates = await store.db
    .selectFrom('delivery')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(options.limit)
    .execute();
  const leaseUntil = now + options.leaseMs;
  const claimed: ClaimedDelivery[] = [];
  for (const row of candidates) {
    // Why: the condition is re-evaluated by the database at write time, so of two instances that
    // both saw the row free, exactly one update matches; the other moves on.
    const result = await store.db
      .updateTable('delivery')
      .set({ lease_until: leaseUntil })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .executeTakeFirst();
    if (result.numUpdatedRows === 1n) {
      claimed.push({ row: { ...row, lease_until: leaseUntil }, leaseUntil });
    }
  }
  return claimed;
}
