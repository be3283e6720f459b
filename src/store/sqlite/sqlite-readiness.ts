// SQLite readiness: the file takes writes, commits are fully synced and the journal is a WAL.
import { sql } from 'kysely';
import type { ReadinessCheck } from '../shared/readiness.js';

const SYNCHRONOUS_FULL = 2;

const synchronousCheck: ReadinessCheck = {
  name: 'synchronous-full',
  async run(db) {
    const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(db);
    const level = rows[0]?.synchronous;
    return level === SYNCHRONOUS_FULL
      ? undefined
      : `synchronous is ${String(level)}, FULL (2) is required so commits survive power loss`;
  },
};

const walCheck: ReadinessCheck = {
  name: 'journal-wal',
  async run(db) {
    const { rows } = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db);
    const mode = rows[0]?.journal_mode;
    return mode === 'wal' ? undefined : `journal_mode is ${String(mode)}, wal is required`;
  },
};

export const sqliteReadinessChecks: readonly ReadinessCheck[] = [synchronousCheck, walCheck];
