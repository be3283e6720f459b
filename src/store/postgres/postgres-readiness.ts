// PostgreSQL readiness: writes succeed on a primary whose commits are flushed to disk.
import { sql } from 'kysely';
import type { ReadinessCheck } from '../shared/readiness.js';

/** synchronous_commit values that wait for the local WAL flush before acknowledging a commit. */
const DURABLE_COMMIT_MODES: ReadonlySet<string> = new Set([
  'on',
  'local',
  'remote_write',
  'remote_apply',
]);

const fsyncCheck: ReadinessCheck = {
  name: 'fsync',
  async run(db) {
    const { rows } = await sql<{ fsync: string }>`SHOW fsync`.execute(db);
    const value = rows[0]?.fsync;
    return value === 'on' ? undefined : `fsync is ${String(value)}, on is required`;
  },
};

const synchronousCommitCheck: ReadinessCheck = {
  name: 'synchronous-commit',
  async run(db) {
    const { rows } = await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(db);
    const value = rows[0]?.synchronous_commit;
    // Why: with "off" an acknowledged referral or audit record can vanish after a crash.
    return value !== undefined && DURABLE_COMMIT_MODES.has(value)
      ? undefined
      : `synchronous_commit is ${String(value)}, a mode that waits for the local flush is required`;
  },
};

const primaryCheck: ReadinessCheck = {
  name: 'primary',
  async run(db) {
    const { rows } = await sql<{ in_recovery: boolean }>`
      SELECT pg_is_in_recovery() AS in_recovery
    `.execute(db);
    return rows[0]?.in_recovery === false
      ? undefined
      : 'the server is in recovery (a standby); writes need the primary';
  },
};

export const postgresReadinessChecks: readonly ReadinessCheck[] = [
  fsyncCheck,
  synchronousCommitCheck,
  primaryCheck,
];
