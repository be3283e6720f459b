// Prepares each SQL text once: kysely asks better-sqlite3 to prepare every statement on every call.
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Distinct SQL texts kept prepared; the query shapes are few, `in (?, …)` lists make some more. */
export const STATEMENT_CACHE_SIZE = 512;

/**
 * The database as kysely's SQLite driver sees it, with `prepare` answered from a least-recently-used
 * cache. A prepared statement is only a compiled program: parameters are bound per execution and
 * SQLite re-prepares it itself when the schema changes, so reuse changes no result.
 */
export function cachingStatements(
  database: BetterSqlite3.Database,
  size = STATEMENT_CACHE_SIZE,
): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare(sql) {
      const cached = cache.get(sql);
      // Why not a busy one: a statement still being iterated (a streamed query) cannot run again
      // until its iterator finishes, so a second use of the same text gets a statement of its own.
      if (cached !== undefined && !cached.busy) {
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      if (cached === undefined) {
        cache.set(sql, statement);
        if (cache.size > size) cache.delete(cache.keys().next().value ?? sql);
      }
      return statement;
    },
  };
}
