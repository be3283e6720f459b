// Writes an attempt's outcome, but only while this instance still holds the row's lease.
import type { AuditEvent } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { Database, Store } from '../../store/index.js';
import type { ClaimedDelivery } from './claim-deliveries.js';

export type AttemptOutcome =
  | { readonly kind: 'delivered'; readonly at: Date; readonly audit: AuditEvent }
  | { readonly kind: 'retry'; readonly nextAttemptAt: number; readonly error: string }
  | { readonly kind: 'dead'; readonly error: string; readonly audit: readonly AuditEvent[] };

const BREAK_GLASS_PREFIX = 'break-glass:';

/** Returns false when the lease was lost (another instance took the row over); nothing is written then. */
export async function recordOutcome(
  store: Store,
  claimed: ClaimedDelivery,
  outcome: AttemptOutcome,
): Promise<boolean> {
  const { row, leaseUntil } = claimed;
  return store.transaction(async (unit) => {
    const attempts = row.attempts + 1;
    const update = unit.db
      .updateTable('delivery')
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .where('lease_until', '=', leaseUntil);
    const result = await (
      outcome.kind === 'delivered'
        ? update.set({
            status: 'delivered',
            attempts,
            delivered_at: outcome.at.toISOString(),
            lease_until: null,
            last_error: null,
          })
        : outcome.kind === 'retry'
          ? update.set({
              attempts,
              next_attempt_at: outcome.nextAttemptAt,
              lease_until: null,
              last_error: outcome.error,
            })
          : update.set({ status: 'dead', attempts, lease_until: null, last_error: outcome.error })
    ).executeTakeFirst();
    if (result.numUpdatedRows !== 1n) return false;
    if (outcome.kind === 'delivered') {
      await markNotificationDelivered(unit.db, row.idempotency_key, outcome.at);
      await unit.audit.append(outcome.audit);
    }
    if (outcome.kind === 'dead') {
      for (const event of outcome.audit) await unit.audit.append(event);
    }
    return true;
  });
}

/** A break-glass notice queued from the `notification` table is marked there too once delivered. */
export async function markNotificationDelivered(
  db: Kysely<Database>,
  idempotencyKey: string,
  at: Date,
): Promise<void> {
  if (!idempotencyKey.startsWith(BREAK_GLASS_PREFIX)) return;
  await db
    .updateTable('notification')
    .set({ delivered_at: at.toISOString() })
    .where('id', '=', idempotencyKey.slice(BREAK_GLASS_PREFIX.length))
    .where('delivered_at', 'is', null)
    .execute();
}

export const breakGlassIdempotencyKey = (notificationId: string): string =>
  `${BREAK_GLASS_PREFIX}${notificationId}`;
