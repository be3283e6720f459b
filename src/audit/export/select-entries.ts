// Reads the log's entries an export holds, in leaf order, a batch at a time: all of them, or those a filter keeps.
import type { Kysely } from 'kysely';
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

/** Entries of the tree of `treeSize` leaves that the filter keeps, oldest first. */
export async function* selectEntries(
  db: Kysely<Database>,
  filter: ExportFilter,
  treeSize: number,
): AsyncGenerator<StoredEntry[]> {
  for (let afterSeq = 0; afterSeq < treeSize;) {
    let query = db
      .selectFrom('audit_event')
      .select(['seq', 'resource'])
      .where('seq', '>', afterSeq)
      .where('seq', '<=', treeSize);
    if (filter.since !== undefined) query = query.where('recorded', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('recorded', '<', filter.until);
    const pseudonyms = filter.pseudonyms ?? [];
    if (pseudonyms.length > 0) {
      query = query.where('seq', 'in', (eb) =>
        eb
          .selectFrom('audit_event_ref')
          .select('seq')
          .where('kind', '=', 'patient')
          .where('value', 'in', [...pseudonyms]),
      );
    }
    const rows = await query.orderBy('seq').limit(BATCH).execute();
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
  let query = db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('seq', '<=', treeSize);
  if (filter.since !== undefined) query = query.where('recorded', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('recorded', '<', filter.until);
  const pseudonyms = filter.pseudonyms ?? [];
  if (pseudonyms.length > 0) {
    query = query.where('seq', 'in', (eb) =>
      eb
        .selectFrom('audit_event_ref')
        .select('seq')
        .where('kind', '=', 'patient')
        .where('value', 'in', [...pseudonyms]),
    );
  }
  const { count } = await query.executeTakeFirstOrThrow();
  return Number(count);
}
