// Break-glass notices owed to institutions that recorded the survivor's consent; a delivery worker pushes them.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.js';
import type { GrantRecord } from './grant-record.js';

export const BREAK_GLASS_NOTICE = 'break-glass';

/** What a break-glass notice says: ids, pseudonym, institution and times, never the justification. */
export interface BreakGlassPayload {
  readonly grant: string;
  readonly pseudonym: string;
  readonly organization: string;
  readonly role: string;
  readonly riskLevel: string | null;
  readonly grantedAt: string;
  readonly expiresAt: string;
}

export interface Notification {
  readonly id: string;
  readonly recipient: string;
  readonly kind: string;
  readonly payload: unknown;
  readonly createdAt: Date;
  readonly deliveredAt?: Date;
}

/**
 * Queues one notice per recipient, each institution once; the grantee is skipped, it knows.
 * The justification stays out: it is free text that may name people, and recipients who need it
 * ask the auditors, who see it in the review queue.
 */
export async function queueBreakGlassNotices(
  db: Kysely<Database>,
  grant: GrantRecord,
  recipients: readonly string[],
): Promise<string[]> {
  const unique = [...new Set(recipients)].filter((id) => id !== grant.organization).sort();
  if (unique.length === 0) return [];
  const payload: BreakGlassPayload = {
    grant: grant.id,
    pseudonym: grant.pseudonym,
    organization: grant.organization,
    role: grant.role,
    riskLevel: grant.riskLevel ?? null,
    grantedAt: grant.grantedAt.toISOString(),
    expiresAt: grant.expiresAt.toISOString(),
  };
  const text = JSON.stringify(payload);
  await db
    .insertInto('notification')
    .values(
      unique.map((recipient) => ({
        id: randomUUID(),
        recipient,
        kind: BREAK_GLASS_NOTICE,
        payload: text,
        created_at: grant.grantedAt.toISOString(),
        delivered_at: null,
      })),
    )
    .execute();
  return unique;
}

export interface NotificationFilter {
  readonly recipient?: string;
  readonly kind?: string;
  /** true: delivered only; false: still owed; undefined: both. */
  readonly delivered?: boolean;
}

/** Notifications in the order they were queued, for the delivery worker and tests. */
export async function listNotifications(
  db: Kysely<Database>,
  filter: NotificationFilter = {},
): Promise<Notification[]> {
  let query = db.selectFrom('notification').selectAll();
  if (filter.recipient !== undefined) query = query.where('recipient', '=', filter.recipient);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.delivered === true) query = query.where('delivered_at', 'is not', null);
  if (filter.delivered === false) query = query.where('delivered_at', 'is', null);
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  return rows.map((row) => ({
    id: row.id,
    recipient: row.recipient,
    kind: row.kind,
    payload: JSON.parse(row.payload) as unknown,
    createdAt: new Date(row.created_at),
    ...(row.delivered_at === null ? {} : { deliveredAt: new Date(row.delivered_at) }),
  }));
}
