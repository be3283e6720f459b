// The notice inbox: an institution pulls the notices addressed to it that it has not acknowledged, and acknowledges them by id.
import type { Bundle } from '@medplum/fhirtypes';
import { sql, type Kysely } from 'kysely';
import { sealedCursors, type PayloadVault } from '../../crypto/index.js';
import { keysetPage } from '../../fhir/index.js';
import { GatewayError, type Clock } from '../../kernel/index.js';
import type { Database } from '../../store/index.js';
import { noticeKinds } from './build-notice-message.js';
import { noticeForRow, type NoticeDeps, type NoticeRow } from './notice-for-row.js';
import { markNotificationDelivered } from './record-outcome.js';

export const DEFAULT_NOTICE_COUNT = 20;
export const MAX_NOTICE_COUNT = 100;
/** At most this many ids in one acknowledgement. */
export const MAX_ACKNOWLEDGED = 100;

/** Where a page ended: the queue time, the number within the referral (0 for none), the id. */
interface NoticePosition {
  readonly createdAt: string;
  readonly seq: number;
  readonly id: string;
}

const CURSOR_AAD = 'enlace:notice-inbox-cursor:v1';

/** Not yet acknowledged: still pending, or given up by push (the inbox still owes it). */
const UNACKNOWLEDGED = ['pending', 'dead'];

const NOTICE_COLUMNS = [
  'id',
  'kind',
  'recipient',
  'referral_id',
  'referral_seq',
  'created_at',
  'payload',
] as const;

export interface InboxDeps extends Omit<NoticeDeps, 'vault'> {
  /** Opens the notices and seals the inbox's paging cursors. */
  readonly vault: PayloadVault;
  readonly clock: Clock;
}

/** A notice as the inbox returns it: the signed message and what the audit names of it. */
export interface PulledNotice {
  readonly id: string;
  readonly kind: string;
  readonly referralId: string | null;
  /** The gateway-signed message Bundle. */
  readonly message: Bundle;
}

export interface NoticePage {
  /** Oldest first. */
  readonly notices: readonly PulledNotice[];
  /** The cursor of the next page, when more unacknowledged notices follow this one. */
  readonly next?: string;
  /** How many notices the institution has not acknowledged, this page included. */
  readonly total: number;
}

const seqOf = sql<number>`coalesce(referral_seq, 0)`;

/**
 * The caller's unacknowledged notices in the order they were queued (within one referral, in its
 * sequence). Reading acknowledges nothing: a notice is returned by every read, from the first page,
 * until its id is acknowledged. Referrals themselves are not notices (GET /fhir/Task finds them).
 */
export async function readNotices(
  db: Kysely<Database>,
  deps: InboxDeps,
  partnerId: string,
  options: { readonly count: number; readonly cursor?: string },
  at: Date,
): Promise<NoticePage> {
  const cursors = sealedCursors<NoticePosition>(deps.vault, CURSOR_AAD, readPosition, {
    clock: deps.clock,
  });
  const page = await keysetPage<NoticeRow, NoticePosition>({
    cursors,
    owner: partnerId,
    search: 'notices',
    cursor: options.cursor,
    count: options.count,
    positionOf: (row) => ({ createdAt: row.created_at, seq: row.referral_seq ?? 0, id: row.id }),
    fetch: async (after, limit) => {
      let query = unacknowledged(db, partnerId).select(NOTICE_COLUMNS);
      if (after !== undefined) {
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '>', after.createdAt),
            eb.and([eb('created_at', '=', after.createdAt), eb(seqOf, '>', after.seq)]),
            eb.and([
              eb('created_at', '=', after.createdAt),
              eb(seqOf, '=', after.seq),
              eb('id', '>', after.id),
            ]),
          ]),
        );
      }
      return query.orderBy('created_at').orderBy(seqOf).orderBy('id').limit(limit).execute();
    },
  });
  const notices: PulledNotice[] = [];
  for (const row of page.rows) {
    notices.push({
      id: row.id,
      kind: row.kind,
      referralId: row.referral_id,
      message: await noticeForRow(deps, row, at),
    });
  }
  return {
    notices,
    ...(page.next === undefined ? {} : { next: page.next }),
    total: await countUnacknowledged(db, partnerId),
  };
}

/** How many notices the institution has not acknowledged. */
export async function countUnacknowledged(
  db: Kysely<Database>,
  partnerId: string,
): Promise<number> {
  const counted = await unacknowledged(db, partnerId)
    .select((eb) => eb.fn.countAll().as('total'))
    .executeTakeFirst();
  return Number(counted?.total ?? 0);
}

export interface AcknowledgedNotice {
  readonly id: string;
  readonly kind: string;
  readonly referralId: string | null;
  /** False when it had been acknowledged (or pushed) already: nothing changed for it. */
  readonly newly: boolean;
}

/**
 * Marks the caller's notices delivered, in the caller's transaction. Why by id and not "up to a
 * point": a notice queued by a transaction that commits late can sort before one already read,
 * and acknowledging by position would acknowledge it unseen. Every id must be one of the
 * caller's notices, or nothing is acknowledged; one already acknowledged is accepted again.
 */
export async function acknowledgeNotices(
  db: Kysely<Database>,
  partnerId: string,
  ids: readonly string[],
  at: Date,
): Promise<AcknowledgedNotice[]> {
  const wanted = [...new Set(ids)];
  const rows = await db
    .selectFrom('delivery')
    .select(['id', 'kind', 'referral_id', 'status', 'idempotency_key'])
    .where('recipient', '=', partnerId)
    .where('kind', 'in', [...noticeKinds])
    .where('id', 'in', wanted)
    .execute();
  const found = new Map(rows.map((row) => [row.id, row]));
  const missing = wanted.find((id) => !found.has(id));
  if (missing !== undefined) {
    // Why one answer for "no such notice" and "not yours": ids of other institutions' notices
    // must not be confirmable.
    throw new GatewayError(
      'ENLACE_RESOURCE_NOT_FOUND',
      `No notice ${missing.slice(0, 64)} is addressed to your institution.`,
      { expression: ['Parameters.parameter'] },
    );
  }
  const newly = new Set<string>();
  for (const row of rows) {
    if (row.status === 'delivered') continue;
    // Conditioned on the status, so of two acknowledgements crossing, one changes the row.
    const result = await db
      .updateTable('delivery')
      .set({ status: 'delivered', delivered_at: at.toISOString(), lease_until: null })
      .where('id', '=', row.id)
      .where('status', '!=', 'delivered')
      .executeTakeFirst();
    if (result.numUpdatedRows !== 1n) continue;
    newly.add(row.id);
    await markNotificationDelivered(db, row.idempotency_key, at);
  }
  return wanted.map((id) => {
    const row = found.get(id);
    return {
      id,
      kind: row?.kind ?? '',
      referralId: row?.referral_id ?? null,
      newly: newly.has(id),
    };
  });
}

function unacknowledged(db: Kysely<Database>, partnerId: string) {
  return db
    .selectFrom('delivery')
    .where('recipient', '=', partnerId)
    .where('status', 'in', UNACKNOWLEDGED)
    .where('kind', 'in', [...noticeKinds]);
}

function readPosition(content: Readonly<Record<string, unknown>>): NoticePosition | undefined {
  const { createdAt, seq, id } = content;
  return typeof createdAt === 'string' &&
    typeof seq === 'number' &&
    Number.isInteger(seq) &&
    typeof id === 'string'
    ? { createdAt, seq, id }
    : undefined;
}
