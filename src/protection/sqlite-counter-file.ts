// The SQLite engine's rate-limit counters: a file of their own beside the database, written without a sync per commit.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { CounterStore } from './counter-store.js';
import { hitStatement, toCount, type CounterRow, type CounterTables } from './sql-counters.js';

/** A worker's upsert holds the file's lock for microseconds; waiting longer means something is wrong. */
const BUSY_TIMEOUT_MS = 200;

/** `data/enlace.db` → `data/enlace.rate-limits.db`: beside the database, shared by its workers. */
export function counterFileOf(databasePath: string): string {
  const extension = extname(databasePath);
  return join(dirname(databasePath), `${basename(databasePath, extension)}.rate-limits.db`);
}

/**
 * Why a file of its own rather than a table in the database:
 * - the database runs `synchronous=FULL`, one fsync per commit; a counter needs no durability
 *   (losing the last seconds of counts to a power cut is harmless), so this file runs WAL with
 *   `synchronous=NORMAL`, which syncs only at checkpoints and stays consistent after a crash;
 * - a second connection to the database file would wait for its write lock, which a write
 *   transaction holds across awaits, and better-sqlite3 waits on the event loop: a deadlock;
 * - the workers of a cluster share this file, so the budget is one per gateway, not per worker.
 */
export function openSqliteCounters(path: string): CounterStore {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Why 0600: the counters name callers' addresses and client ids.
  closeSync(openSync(path, 'a', 0o600));
  const database = new BetterSqlite3(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Counts only: if the shape ever changes, the table is dropped and recreated, never migrated.
  database.exec(`create table if not exists rate_limit_counter (
    key text primary key,
    window_start integer not null,
    hits integer not null,
    previous_hits integer not null
  ) strict`);
  // Why a prepared statement rather than kysely's driver: it runs synchronously in tens of
  // microseconds, and this runs on every request; the SQL is the one PostgreSQL runs, compiled.
  const compiler = new Kysely<CounterTables>({ dialect: new SqliteDialect({ database }) });
  const hit = database.prepare<[string, number, number], CounterRow>(
    hitStatement('', 0, 0).compile(compiler).sql,
  );
  const prune = database.prepare<[number]>('delete from rate_limit_counter where window_start < ?');
  return {
    kind: 'database',
    hit(key, windowStart, windowMs) {
      try {
        const row = hit.get(key, windowStart, windowMs);
        if (row === undefined) throw new Error('the counter upsert returned no row');
        return Promise.resolve(toCount(row));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    prune(before) {
      try {
        prune.run(before);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    close() {
      // The compiler never opened a connection of its own: closing the file is all there is.
      database.close();
      return Promise.resolve();
    },
  };
}
