// Takes SQLite's write lock without blocking the event loop while another process holds it.
import { setTimeout as sleep } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';

/** How long a transaction waits for the write lock before the database counts as unavailable. */
export const WRITE_LOCK_TIMEOUT_MS = 5000;
/** The longest pause between two attempts: another worker's transaction lasts a few milliseconds. */
const MAX_PAUSE_MS = 4;

const isBusy = (error: unknown): boolean =>
  error instanceof Error && (error as { code?: unknown }).code === 'SQLITE_BUSY';

/**
 * BEGIN IMMEDIATE, retried asynchronously while another connection holds the write lock.
 *
 * Why not busy_timeout alone: SQLite's busy handler sleeps inside the call, and better-sqlite3
 * calls on the event loop, so a worker waiting for another worker's commit would serve nothing
 * at all for up to the whole timeout. With the handler off for this one statement, the wait is
 * a timer: the process decrypts, validates and verifies other requests meanwhile. The handler
 * stays on for every other statement (a reader that meets a checkpoint still waits as before).
 */
export function beginImmediate(
  database: BetterSqlite3.Database,
  timeoutMs = WRITE_LOCK_TIMEOUT_MS,
): () => Promise<void> {
  const configured = Number(database.pragma('busy_timeout', { simple: true }));
  // Why exec and not prepared statements: SQLite applies PRAGMA busy_timeout when the pragma is
  // compiled, not when it is stepped, so a statement prepared once would set it once.
  const begin = () => {
    database.exec('PRAGMA busy_timeout = 0');
    try {
      database.exec('begin immediate');
    } finally {
      database.exec(`PRAGMA busy_timeout = ${configured}`);
    }
  };
  return async () => {
    const deadline = Date.now() + timeoutMs;
    for (let pause = 1; ; pause = Math.min(MAX_PAUSE_MS, pause * 2)) {
      try {
        begin();
        return;
      } catch (error) {
        // Past the deadline the SQLITE_BUSY error goes up as it did with the busy handler:
        // the store reports the database unavailable (503), never a hang.
        if (!isBusy(error) || Date.now() >= deadline) throw error;
      }
      await sleep(pause);
    }
  };
}
