// Reads the log's entries an export holds, in leaf order, a batch at a time: all of them, or those a filter keeps.
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '../../store/index.js';
import type { ExportFilter } from './export-job.js';

const BATCH = 1000;

export interface StoredEntry {
  /** Leaf index: seq − 1. */
  readonly index: number;
  readonly resource: string;
}

export const isFiltered = (filter: ExportFilter): boolean =>
  filter.since !== undefined || filter.until !== undefined || (filter.pseudonyms?.length ?? 0) > 0;

/**
 * The filter's conditions on an audit_event query. Why a generic over the query: the selection
 * and the count must keep exactly the same rows, or the progress and the manifest would disagree.
 */
function filtered<Q extends SelectQueryBuilder<Database, 'audit_event', object>>(
  query: Q,
  filter: ExportFilter,
): Q {
  let narrowed = query;
  if (filter.since !== undefined) narrowed = narrowed.where('recorded', '>=', filter.since) as Q;
  if (filter.until !== undefined) narrowed = narrowed.where('recorded', '<', filter.until) as Q;
  const pseudonyms = filter.pseudonyms ?? [];
  if (pseudonyms.length > 0) {
    narrowed = narrowed.where('seq', 'in', (eb) =>
      eb
        .selectFrom('audit_event_ref')
        .select('seq')
        .where('kind', '=', 'patient')
        .where('value', 'in', [...pseudonyms]),
    ) as Q;
  }
  return narrowed;
}

/** Entries of the tree of `treeSize` leaves that the filter keeps, oldest first. */
export async function* selectEntries(
  db: Kysely<Database>,
  filter: ExportFilter,
  treeSize: number,
): AsyncGenerator<StoredEntry[]> {
  for (let afterSeq = 0; afterSeq < treeSize;) {
    const query = db
      .selectFrom('audit_event')
      .select(['seq', 'resource'])
      .where('seq', '>', afterSeq)
      .where('seq', '<=', treeSize);
    const rows = await filtered(query, filter).orderBy('seq').limit(BATCH).execute();
    if (rows.length === 0) return;
    yield rows.map((row) => ({ index: row.seq - 1, resource: row.resource }));
    afterSeq = rows[rows.length - 1]?.seq ?? treeSize;
  }
}

/** How many entries the export will hold, for progress. */
export async function countEntries(
  db: Kysely<Database>,
  filter: ExportFilter,
  treeSize: number,
): Promise<number> {
  const query = db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('seq', '<=', treeSize);
  const { count } = await filtered(query, filter).executeTakeFirstOrThrow();
  return Number(count);
}
