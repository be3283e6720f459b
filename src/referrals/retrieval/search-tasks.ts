// Finds the Tasks of referrals the caller sent or received, newest or oldest first, one keyset page at a time.
import type { Task } from '@medplum/fhirtypes';
import type { Kysely, Selectable } from 'kysely';
import type { PayloadVault } from '../../crypto/index.js';
import { keysetPage } from '../../fhir/index.js';
import type { Clock } from '../../kernel/index.js';
import type { Database } from '../../store/index.js';
import { toReferralRecord } from '../referral-repository.js';
import { readTaskResource } from '../task-updates/index.js';
import { taskCursors } from './search-cursor.js';
import { searchDigest, type TaskSearch } from './task-search-params.js';

export interface TaskPage {
  readonly tasks: readonly Task[];
  /** The cursor of the next page, when there is one. */
  readonly next?: string;
}

export interface TaskSearchDeps {
  readonly vault: PayloadVault;
  readonly clock: Clock;
}

const operators = { ge: '>=', gt: '>', le: '<=', lt: '<' } as const;

export async function searchTasks(
  db: Kysely<Database>,
  deps: TaskSearchDeps,
  partnerId: string,
  search: TaskSearch,
): Promise<TaskPage> {
  const direction = search.order;
  const past = direction === 'asc' ? '>' : '<';
  const page = await keysetPage({
    cursors: taskCursors(deps.vault, deps.clock),
    owner: partnerId,
    search: searchDigest(search),
    cursor: search.cursor,
    count: search.count,
    positionOf: (row: Selectable<Database['referral']>) => ({ key: row.updated_at, id: row.id }),
    fetch: (after, limit) => {
      // Why the party condition is always there: owner and requester narrow within the caller's
      // own referrals, they can never reach another institution's.
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
            eb('updated_at', past, after.key),
            eb.and([eb('updated_at', '=', after.key), eb('id', past, after.id)]),
          ]),
        );
      }
      return query.orderBy('updated_at', direction).orderBy('id', direction).limit(limit).execute();
    },
  });
  const tasks = await Promise.all(
    page.rows.map((row) => readTaskResource(deps.vault, toReferralRecord(row))),
  );
  return page.next === undefined ? { tasks } : { tasks, next: page.next };
}
