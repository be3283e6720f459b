import assert from 'node:assert/strict';
import { synchronousCommitProblem } from '../../../src/store/postgres/postgres-readiness.js';
import { databaseSetupStatements } from '../../../src/store/postgres/database-roles.js';
import { isDatabaseUnavailable } from '../../../src/store/index.js';

const withCode = (code: string): Error => Object.assign(new Error('refused'), { code });

describe('PostgreSQL commit durability', () => {
  it('accepts every mode that flushes the WAL locally before acknowledging, without standbys', () => {
    for (const mode of ['on', 'local', 'remote_write', 'remote_apply']) {
      assert.equal(synchronousCommitProblem(mode, ''), undefined, mode);
    }
  });

  it('refuses synchronous_commit off, and a value it does not know', () => {
    assert.match(synchronousCommitProblem('off', '') ?? '', /synchronous_commit is off.*required/);
    assert.match(synchronousCommitProblem('maybe', '') ?? '', /is maybe/);
    assert.match(synchronousCommitProblem(undefined, undefined) ?? '', /is unknown/);
  });

  it('refuses local when synchronous standbys are configured, since a failover would lose commits', () => {
    assert.match(
      synchronousCommitProblem('local', 'FIRST 1 (standby_a)') ?? '',
      /local while synchronous_standby_names is set.*required/,
    );
    for (const mode of ['on', 'remote_write', 'remote_apply']) {
      assert.equal(synchronousCommitProblem(mode, 'FIRST 1 (standby_a)'), undefined, mode);
    }
  });
});

describe('a database that cannot answer in time', () => {
  it('counts a statement timeout, a lock timeout and an idle-transaction timeout as unavailable', () => {
    for (const code of ['57014', '55P03', '25P03']) {
      assert.equal(isDatabaseUnavailable(withCode(code)), true, code);
    }
  });

  it('does not count a constraint violation or a permission refusal as unavailable', () => {
    for (const code of ['23505', '42501', '42P01']) {
      assert.equal(isDatabaseUnavailable(withCode(code)), false, code);
    }
  });
});

describe('the database setup SQL', () => {
  it('refuses role names that would need quoting, and one role for both', () => {
    for (const owner of ['Enlace', 'a-b', 'x"; DROP TABLE audit_event; --', 'pg_owner', '']) {
      assert.throws(
        () => databaseSetupStatements({ owner, app: 'enlace_app' }),
        (error: Error & { code?: string }) => error.code === 'ENLACE_STORE_INVALID_ARGUMENT',
        owner,
      );
    }
    assert.throws(() => databaseSetupStatements({ owner: 'enlace', app: 'enlace' }), /must differ/);
  });

  it('grants the application role only SELECT and INSERT on the audit tables, UPDATE on the counter', () => {
    const text = databaseSetupStatements({ owner: 'o', app: 'a' }).join('\n');
    assert.match(
      text,
      /REVOKE ALL ON audit_event FROM a;\n {4}GRANT SELECT, INSERT ON audit_event TO a;/,
    );
    assert.match(text, /GRANT SELECT, UPDATE ON audit_sequence TO a;/);
    assert.match(text, /GRANT SELECT ON kysely_migration TO a;/);
    assert.doesNotMatch(text, /TRUNCATE/);
    assert.doesNotMatch(text, /(?<!NO)SUPERUSER|(?<!NO)CREATEROLE/);
  });
});
