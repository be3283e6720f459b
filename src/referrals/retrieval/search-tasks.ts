// Finds the Tasks of referrals the caller sent or received, newest or oldest first, one keyset page at a time.
import type { Task } from '@medplum/fhirtypes';
import type { Kysely, Selectable } from 'kysely';
import type { PayloadVault } from '../../crypto/index.js';
import { keysetPage } from '../../fhir/index.js';
import type { Clock } from '../../kernel/index.js';
import type { Database } from '../../store/index.js';
import type { ReferralStatus } from '../task-workflow.js';
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

/** The columns a Task needs (TaskRow): never the sealed message, which a search does not open. */
const TASK_COLUMNS = ['id', 'task', 'task_version', 'status', 'updated_at'] as const;
type TaskColumns = Pick<Selectable<Database['referral']>, (typeof TASK_COLUMNS)[number]>;
type Position = { readonly key: string; readonly id: string };

/**
 * Which party column each query pins to the caller. The party condition sender = caller OR
 * recipient = caller holds in every query; naming the side it holds on lets the (party,
 * updated_at, id) index of migration 0016 serve the filter and the order, so a page reads its rows
 * and no more. Without owner or requester, the two sides are two index-ordered queries merged.
 */
function callerSides(partnerId: string, search: TaskSearch): readonly ('recipient' | 'sender')[] {
  if (search.owner === partnerId) return ['recipient'];
  if (search.requester === partnerId) return ['sender'];
  // Another institution named as owner (or requester): the caller can only be the other party.
  if (search.owner !== undefined) return ['sender'];
  if (search.requester !== undefined) return ['recipient'];
  return ['recipient', 'sender'];
}

export async function searchTasks(
  db: Kysely<Database>,
  deps: TaskSearchDeps,
  partnerId: string,
  search: TaskSearch,
): Promise<TaskPage> {
  const direction = search.order;
  const past = direction === 'asc' ? '>' : '<';
  const query = (side: 'recipient' | 'sender', after: Position | undefined, limit: number) => {
    // Why the party condition is always there: owner and requester narrow within the caller's
    // own referrals, they can never reach another institution's.
    let query = db
      .selectFrom('referral')
      .select(TASK_COLUMNS)
      .where(side, '=', partnerId)
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
      // A row value, which both engines match against the index as one range.
      query = query.where((eb) =>
        eb(eb.refTuple('updated_at', 'id'), past, eb.tuple(after.key, after.id)),
      );
    }
    return query.orderBy('updated_at', direction).orderBy('id', direction).limit(limit).execute();
  };
  const page = await keysetPage({
    cursors: taskCursors(deps.vault, deps.clock),
    owner: partnerId,
    search: searchDigest(search),
    cursor: search.cursor,
    count: search.count,
    positionOf: (row: TaskColumns): Position => ({ key: row.updated_at, id: row.id }),
    fetch: async (after, limit) => {
      const sides = callerSides(partnerId, search);
      const found = await Promise.all(sides.map((side) => query(side, after, limit)));
      if (found.length === 1) return found[0] ?? [];
      // A referral to oneself would come from both sides: keep it once.
      const rows = [...new Map(found.flat().map((row) => [row.id, row])).values()];
      const sign = direction === 'asc' ? 1 : -1;
      rows.sort((a, b) => sign * (compare(a.updated_at, b.updated_at) || compare(a.id, b.id)));
      return rows.slice(0, limit);
    },
  });
  const tasks = await Promise.all(
    page.rows.map((row) =>
      readTaskResource(deps.vault, {
        id: row.id,
        sealedTask: row.task,
        taskVersion: row.task_version,
        status: row.status as ReferralStatus,
        updatedAt: row.updated_at,
      }),
    ),
  );
  return page.next === undefined ? { tasks } : { tasks, next: page.next };
}

/** Code-unit order: the columns hold ISO instants and UUIDs, which every collation orders alike. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
