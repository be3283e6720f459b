// The transactional outbox: a message to push is recorded in the same transaction as the change it announces.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

export const deliveryKinds = [
  'referral',
  'task-update',
  'consent-revoked',
  'break-glass',
  'acknowledgement',
] as const;
export type DeliveryKind = (typeof deliveryKinds)[number];

export interface NewDelivery {
  readonly recipient: string;
  readonly kind: DeliveryKind;
  /** The referral it concerns; consent is re-checked against it before each attempt. */
  readonly referralId?: string;
  /** What to send, as JSON-serialisable data; case content stays sealed in the referral row. */
  readonly payload: unknown;
  /**
   * Stable for the same message to the same recipient (e.g. `<referral id>:<task version>`), so a
   * retried transaction cannot enqueue a second copy and recipients can discard duplicates.
   */
  readonly idempotencyKey: string;
}

/** Records the delivery in the caller's transaction (`unit.db`); the worker pushes it after commit. */
export async function enqueueDelivery(
  db: Kysely<Database>,
  delivery: NewDelivery,
  now: Date,
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('delivery')
    .values({
      id,
      idempotency_key: delivery.idempotencyKey,
      recipient: delivery.recipient,
      kind: delivery.kind,
      referral_id: delivery.referralId ?? null,
      payload: JSON.stringify(delivery.payload),
      status: 'pending',
      attempts: 0,
      next_attempt_at: now.getTime(),
      lease_until: null,
      last_error: null,
      created_at: now.toISOString(),
      delivered_at: null,
    })
    .execute();
  return id;
}
