// Finds the Tasks of referrals the caller sent or received, newest or oldest first, one keyset page at a time.
import type { Task } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { PayloadVault } from '../../crypto/index.js';
import type { Database } from '../../store/index.js';
import { toReferralRecord } from '../referral-repository.js';
import { toTaskResource } from '../task-updates/index.js';
import { decodeCursor, encodeCursor } from './search-cursor.js';
import { searchDigest, type TaskSearch } from './task-search-params.js';

export interface TaskPage {
  readonly tasks: readonly Task[];
  /** The cursor of the next page, when there is one. */
  readonly next?: string;
}

const operators = { ge: '>=', gt: '>', le: '<=', lt: '<' } as const;

export async function searchTasks(
  db: Kysely<Database>,
  vault: PayloadVault,
  partnerId: string,
  search: TaskSearch,
): Promise<TaskPage> {
  if (search.count === 0) return { tasks: [] };
  const digest = searchDigest(search);
  const after =
    search.cursor === undefined
      ? undefined
      : await decodeCursor(vault, partnerId, digest, search.cursor);
  const direction = search.order;
  const past = direction === 'asc' ? '>' : '<';
  // Why the party condition is always there: owner and requester narrow within the caller's own
  // referrals, they can never reach another institution's.
  let query = db
    .selectFrom('referral')
    .selectAll()
    .where((eb) => eb.or([eb('sender', '=', partnerId), eb('recipient', '=', partnerId)]));
  if (search.owner !== undefined) query = query.where('recipient', '=', search.owner);
  if (search.requester !== undefined) query = query.where('sender', '=', search.requester);
  if (search.statuses !== undefined) query = query.where('status', 'in', [...search.statuses]);
  if (search.businessStatuses !== undefined) {
    query = query.where('status', 'in', [...search.businessStatuses]);
  }
  for (const { comparator, instant } of search.lastUpdated) {
    query = query.where('updated_at', operators[comparator], instant);
  }
  if (after !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('updated_at', past, after.updatedAt),
        eb.and([eb('updated_at', '=', after.updatedAt), eb('id', past, after.id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy('updated_at', direction)
    .orderBy('id', direction)
    .limit(search.count + 1)
    .execute();
  const page = rows.slice(0, search.count);
  const last = page.at(-1);
  const tasks = page.map((row) => toTaskResource(toReferralRecord(row)));
  if (rows.length <= search.count || last === undefined) return { tasks };
  return {
    tasks,
    next: await encodeCursor(vault, partnerId, digest, { updatedAt: last.updated_at, id: last.id }),
  };
}
