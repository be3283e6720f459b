// The transactional outbox: a message to push is recorded, sealed, in the same transaction as the change it announces.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { PayloadVault } from '../crypto/index.js';
import type { Database } from '../store/index.js';

export const deliveryKinds = [
  'referral',
  'task-update',
  'consent-revoked',
  'break-glass',
  'acknowledgement',
] as const;
export type DeliveryKind = (typeof deliveryKinds)[number];

/** What seals outbox payloads at rest: the payload vault. */
export type OutboxSealer = Pick<PayloadVault, 'seal'>;

export interface NewDelivery {
  readonly recipient: string;
  readonly kind: DeliveryKind;
  /** The referral it concerns; consent is re-checked against it before each attempt. */
  readonly referralId?: string;
  /**
   * What the notice carries, as JSON-serialisable data: a Task version, the recipient's signed
   * acknowledgement, a Parameters notice. Sealed before it is written; a referral's case content
   * stays in the referral row and is packaged at each attempt.
   */
  readonly payload: unknown;
  /**
   * Stable for the same message to the same recipient (e.g. `<referral id>:<task version>`), so a
   * retried transaction cannot enqueue a second copy and recipients can discard duplicates.
   */
  readonly idempotencyKey: string;
}

/** The vault's aad for a delivery's payload: a blob copied onto another row does not open. */
export const deliveryPayloadAad = (deliveryId: string): string => `delivery:${deliveryId}`;

/**
 * Records the delivery in the caller's transaction (`unit.db`); the worker pushes it after commit.
 * A delivery about a referral gets the next number of that referral's deliveries to this recipient:
 * the worker pushes them in that order, and the number travels, signed, in the notice.
 */
export async function enqueueDelivery(
  db: Kysely<Database>,
  delivery: NewDelivery,
  now: Date,
  vault: OutboxSealer,
): Promise<string> {
  const id = randomUUID();
  // Why sealed: a Task version carries the partners' free text (notes, reasons, outputs), and the
  // database must reveal no case to whoever copies its file.
  const sealed = await vault.seal(JSON.stringify(delivery.payload), deliveryPayloadAad(id));
  await db
    .insertInto('delivery')
    .values({
      id,
      idempotency_key: delivery.idempotencyKey,
      recipient: delivery.recipient,
      kind: delivery.kind,
      referral_id: delivery.referralId ?? null,
      payload: sealed.blob,
      status: 'pending',
      attempts: 0,
      next_attempt_at: now.getTime(),
      lease_until: null,
      last_error: null,
      created_at: now.toISOString(),
      delivered_at: null,
      referral_seq:
        delivery.referralId === undefined
          ? null
          : await nextReferralSeq(db, delivery.referralId, delivery.recipient),
    })
    .execute();
  return id;
}

/**
 * Why this is safe without a lock of its own: every caller has written the referral row earlier in
 * the same transaction (inserted it, moved its Task, stored its acknowledgement), which serialises
 * writers of one referral; the unique index refuses a duplicate number should one slip through.
 */
async function nextReferralSeq(
  db: Kysely<Database>,
  referralId: string,
  recipient: string,
): Promise<number> {
  const row = await db
    .selectFrom('delivery')
    .select((eb) => eb.fn.max('referral_seq').as('last'))
    .where('referral_id', '=', referralId)
    .where('recipient', '=', recipient)
    .executeTakeFirst();
  return (row?.last ?? 0) + 1;
}
