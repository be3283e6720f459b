// The operators' view of the outbox: list deliveries (never their payload) and requeue a dead one.
import type { AuditActor } from '../../audit/index.js';
import { GatewayError, type Clock } from '../../kernel/index.js';
import type { Store } from '../../store/index.js';
import { buildRetryAudit } from './delivery-audit.js';
import {
  deliveryStatuses,
  toDeliverySummary,
  type DeliveryStatus,
  type DeliverySummary,
} from './delivery-record.js';

export interface DeliveryFilter {
  readonly status?: DeliveryStatus;
  readonly recipient?: string;
  readonly limit?: number;
}

export const MAX_DELIVERY_LIST = 500;
const DEFAULT_DELIVERY_LIST = 100;

/** Every column but the payload. */
const SUMMARY_COLUMNS = [
  'id',
  'idempotency_key',
  'recipient',
  'kind',
  'referral_id',
  'status',
  'attempts',
  'next_attempt_at',
  'lease_until',
  'last_error',
  'created_at',
  'delivered_at',
  'referral_seq',
] as const;

export function isDeliveryStatus(value: string): value is DeliveryStatus {
  return (deliveryStatuses as readonly string[]).includes(value);
}

/** Newest first; the payload column is never selected. */
export async function listDeliveries(
  store: Store,
  filter: DeliveryFilter = {},
): Promise<DeliverySummary[]> {
  let query = store.db.selectFrom('delivery').select(SUMMARY_COLUMNS);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.recipient !== undefined) query = query.where('recipient', '=', filter.recipient);
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(Math.min(filter.limit ?? DEFAULT_DELIVERY_LIST, MAX_DELIVERY_LIST))
    .execute();
  return rows.map(toDeliverySummary);
}

/**
 * Sends a dead delivery back to the queue, due now, its attempts kept. Past its horizon it gets
 * one more attempt. Audited with the operator as agent, in the same transaction.
 */
export async function retryDelivery(
  id: string,
  actor: AuditActor,
  deps: { readonly store: Store; readonly clock: Clock },
  requestId?: string,
): Promise<DeliverySummary> {
  const now = deps.clock();
  return deps.store.transaction(async (unit) => {
    const row = await unit.db
      .selectFrom('delivery')
      .select(['id', 'recipient', 'kind', 'referral_id', 'attempts', 'status'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) {
      throw new GatewayError(
        'ENLACE_DELIVERY_NOT_FOUND',
        `No delivery has the id ${id.slice(0, 64)}.`,
      );
    }
    // Why: only a dead delivery is requeued; a pending one is already owned by the worker and a
    // delivered one must not be pushed twice.
    const result = await unit.db
      .updateTable('delivery')
      .set({ status: 'pending', next_attempt_at: now.getTime(), lease_until: null })
      .where('id', '=', id)
      .where('status', '=', 'dead')
      .executeTakeFirst();
    if (result.numUpdatedRows !== 1n) {
      throw new GatewayError(
        'ENLACE_DELIVERY_NOT_DEAD',
        `Delivery ${id.slice(0, 64)} is ${row.status}; only a dead delivery can be retried.`,
      );
    }
    const updated = await unit.db
      .selectFrom('delivery')
      .select(SUMMARY_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    // Appended last: on PostgreSQL the append holds the trail's sequence row until commit.
    await unit.audit.append(buildRetryAudit(row, actor, now, requestId));
    return toDeliverySummary(updated);
  });
}
