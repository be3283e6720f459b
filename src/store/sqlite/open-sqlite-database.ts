// Opens the SQLite file with the durability and safety settings Enlace requires.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { WRITE_LOCK_TIMEOUT_MS } from './begin-immediate.js';

export function openSqliteDatabase(path: string): BetterSqlite3.Database {
  // Why: the file holds audit records and case metadata; only the gateway's user may read it.
  // SQLite creates the -wal and -shm files with the same permissions as the database file.
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));

  const database = new BetterSqlite3(path);
  database.pragma('journal_mode = WAL');
  // Why: FULL syncs the WAL on every commit, so an acknowledged referral or audit record
  // survives a power loss; NORMAL could lose the last commits.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma(`busy_timeout = ${WRITE_LOCK_TIMEOUT_MS}`);
  // Why: without it, INSERT OR REPLACE deletes a conflicting row without firing DELETE
  // triggers, which would slip past the append-only guard on audit_event.
  database.pragma('recursive_triggers = ON');
  return database;
}
