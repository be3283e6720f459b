// Rate-limit counters in a SQL table, one atomic UPSERT per hit; the same statement on SQLite and PostgreSQL.
import { sql, type Kysely } from 'kysely';
import type { CounterStore } from './counter-store.js';
import type { WindowCount } from './window.js';

/** The counter table (migration 0017 on PostgreSQL, the counter file on SQLite). */
export type CounterTables = {
  rate_limit_counter: {
    key: string;
    window_start: number;
    hits: number;
    previous_hits: number;
  };
};

export interface CounterRow {
  readonly window_start: number | string;
  readonly hits: number | string;
  readonly previous_hits: number | string;
}

/**
 * One hit as one statement, parameters in the order key, windowStart, windowMs.
 *
 * Why one statement: the database decides atomically, so N instances hitting the same key at
 * once each see their own increment and never lose one (no read-then-write race). Every
 * right-hand side reads the row as it was before this update, as `advance` does.
 */
export const hitStatement = (key: string, windowStart: number, windowMs: number) => sql<CounterRow>`
  insert into rate_limit_counter (key, window_start, hits, previous_hits)
  values (${key}, ${windowStart}, 1, 0)
  on conflict (key) do update set
    previous_hits = case
      when rate_limit_counter.window_start >= excluded.window_start
        then rate_limit_counter.previous_hits
      when rate_limit_counter.window_start = excluded.window_start - ${windowMs}
        then rate_limit_counter.hits
      else 0 end,
    hits = case
      when rate_limit_counter.window_start >= excluded.window_start
        then rate_limit_counter.hits + 1
      else 1 end,
    window_start = case
      when rate_limit_counter.window_start >= excluded.window_start
        then rate_limit_counter.window_start
      else excluded.window_start end
  returning window_start, hits, previous_hits`;

export function createSqlCounters(db: Kysely<CounterTables>): CounterStore {
  return {
    kind: 'database',
    async hit(key, windowStart, windowMs) {
      const { rows } = await hitStatement(key, windowStart, windowMs).execute(db);
      const row = rows[0];
      if (row === undefined) throw new Error('the counter upsert returned no row');
      return toCount(row);
    },
    async prune(before) {
      await db.deleteFrom('rate_limit_counter').where('window_start', '<', before).execute();
    },
    close: () => Promise.resolve(),
  };
}

export const toCount = (row: CounterRow): WindowCount => ({
  windowStart: Number(row.window_start),
  hits: Number(row.hits),
  previousHits: Number(row.previous_hits),
});
