// A delivery as the worker and the admin API read it; the payload is only read where it is sent.
import type { Selectable } from 'kysely';
import type { Database } from '../../store/index.js';

export const deliveryStatuses = ['pending', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export type DeliveryRow = Selectable<Database['delivery']>;

/** What an operator may see of a delivery: never its payload. */
export interface DeliverySummary {
  readonly id: string;
  readonly recipient: string;
  readonly kind: string;
  readonly referral?: string;
  /** Its number among the deliveries about that referral to this recipient, pushed in this order. */
  readonly sequence?: number;
  readonly status: string;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly lastError?: string;
  readonly createdAt: string;
  readonly deliveredAt?: string;
}

export function toDeliverySummary(row: Omit<DeliveryRow, 'payload'>): DeliverySummary {
  return {
    id: row.id,
    recipient: row.recipient,
    kind: row.kind,
    ...(row.referral_id === null ? {} : { referral: `Bundle/${row.referral_id}` }),
    ...(row.referral_seq === null ? {} : { sequence: row.referral_seq }),
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: new Date(row.next_attempt_at).toISOString(),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    createdAt: row.created_at,
    ...(row.delivered_at === null ? {} : { deliveredAt: row.delivered_at }),
  };
}
