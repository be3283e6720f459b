// PostgreSQL readiness: writes succeed on a primary whose commits are flushed to disk before they are acknowledged.
import { sql } from 'kysely';
import type { ReadinessCheck } from '../shared/readiness.js';

/**
 * Why these: `off` acknowledges a commit before its WAL is flushed, so a crash of the server loses
 * acknowledged referrals and audit records. `local` flushes locally but does not wait for a
 * synchronous standby, so where one is configured a failover to it can lose acknowledged commits.
 * `remote_write` (the standby has the WAL, not yet flushed), `on` and `remote_apply` all flush
 * locally first, and lose nothing unless the primary's disk and the standby's OS fail together.
 */
export function synchronousCommitProblem(
  synchronousCommit: string | undefined,
  synchronousStandbyNames: string | undefined,
): string | undefined {
  const value = synchronousCommit ?? 'unknown';
  if (!['on', 'local', 'remote_write', 'remote_apply'].includes(value)) {
    return `synchronous_commit is ${value}; on (or remote_apply with synchronous standbys) is required`;
  }
  if (value === 'local' && (synchronousStandbyNames ?? '').trim() !== '') {
    return 'synchronous_commit is local while synchronous_standby_names is set, so a failover can lose acknowledged commits; on or remote_apply is required';
  }
  return undefined;
}

const fsyncCheck: ReadinessCheck = {
  name: 'fsync',
  async run(db) {
    const { rows } = await sql<{ fsync: string }>`SHOW fsync`.execute(db);
    const value = rows[0]?.fsync;
    // Why: with fsync off the server never forces WAL to disk; a power loss can lose or corrupt
    // every commit since the last checkpoint, whatever synchronous_commit says.
    return value === 'on' ? undefined : `fsync is ${String(value)}, on is required`;
  },
};

const synchronousCommitCheck: ReadinessCheck = {
  name: 'synchronous-commit',
  async run(db) {
    // current_setting on a pool connection: the effective value after server, database and role
    // settings, which is what every pool session gets (the gateway never sets it in a session).
    const { rows } = await sql<{ commit: string; standbys: string }>`
      SELECT current_setting('synchronous_commit') AS commit,
             current_setting('synchronous_standby_names') AS standbys
    `.execute(db);
    return synchronousCommitProblem(rows[0]?.commit, rows[0]?.standbys);
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
