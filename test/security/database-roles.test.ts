// PostgreSQL roles from `enlace db setup`: the gateway's role cannot rewrite the audit log, and the gateway works as it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import request from 'supertest';
import { runCli } from '../../src/cli/main.js';
import { enlaceMigrations, openStore } from '../../src/store/index.js';
import { enlaceJson } from '../support/enlace-cli.js';
import {
  createPostgresDatabase,
  POSTGRES_ADMIN_URL,
  testEngines,
  type TestDatabase,
  type TestEngine,
} from '../support/test-database.js';
import { startAttackNetwork, type AttackNetwork } from './attack-network.js';

/** Each append-only table with a column an UPDATE could rewrite. */
const APPEND_ONLY: Readonly<Record<string, string>> = {
  audit_event: 'resource',
  audit_tree_node: 'hash',
  audit_event_ref: 'value',
  audit_checkpoint: 'note',
  audit_cosignature: 'line',
};

interface Roles {
  readonly owner: string;
  readonly app: string;
}

const urlAs = (databaseUrl: string, role: string): string => {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = '';
  return url.toString();
};

async function asRole<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The SQLSTATE a statement fails with, or `none` when it succeeds. */
const refusal = (client: pg.Client, statement: string): Promise<string> =>
  client.query(statement).then(
    () => 'none',
    (error: unknown) => String((error as { code?: unknown }).code),
  );

const uniqueRoles = (): Roles => {
  const suffix = randomBytes(5).toString('hex');
  return { owner: `enlace_o_${suffix}`, app: `enlace_a_${suffix}` };
};

async function dropRoles(adminUrl: string, roles: Roles): Promise<void> {
  await asRole(adminUrl, async (admin) => {
    for (const role of [roles.app, roles.owner]) await admin.query(`DROP ROLE IF EXISTS ${role}`);
  });
}

const postgresRun = testEngines().some((engine) => engine.name === 'postgres');

(postgresRun ? describe : describe.skip)(
  'PostgreSQL roles from enlace db setup (PostgreSQL only: needs ENLACE_TEST_DATABASE_URL)',
  function () {
    this.timeout(120_000);
    const adminUrl = POSTGRES_ADMIN_URL ?? '';
    const roles = uniqueRoles();
    let database: TestDatabase;
    let ownerUrl: string;
    let appUrl: string;
    let net: AttackNetwork;
    let dataDir: string;

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'enlace-roles-'));
      // The gateway's engine: a database set up by the admin, migrated by the owner, run as the app.
      const engine: TestEngine = {
        name: 'postgres',
        async create() {
          database = await createPostgresDatabase(adminUrl);
          const url = database.url ?? '';
          ownerUrl = urlAs(url, roles.owner);
          appUrl = urlAs(url, roles.app);
          const setup = (await enlaceJson(
            {},
            'db',
            'setup',
            '--apply',
            '--admin-url',
            url,
            '--owner-role',
            roles.owner,
            '--app-role',
            roles.app,
          )) as { applied: boolean };
          assert.equal(setup.applied, true);
          const migrated = (await enlaceJson(
            { ENLACE_DATABASE_URL: ownerUrl, ENLACE_DATA_DIR: dataDir },
            'db',
            'migrate',
          )) as { applied: string[] };
          assert.deepEqual(
            migrated.applied,
            enlaceMigrations.map((migration) => migration.name),
          );
          return {
            env: { ENLACE_DATABASE_URL: appUrl, ENLACE_DATABASE_MIGRATIONS: 'check' },
            url: appUrl,
            drop: () => database.drop(),
          };
        },
      };
      net = await startAttackNetwork(engine);
    });
    after(async () => {
      await net.dispose();
      await dropRoles(adminUrl, roles);
      await rm(dataDir, { recursive: true, force: true });
    });

    it('runs the gateway as the application role: a referral is accepted and audited', async () => {
      const before = await net.auditCount();
      const task = await net.submitReferral(net.police, net.shelter);
      assert.match(task, /^[0-9a-f-]{36}$/);
      assert.ok((await net.auditCount()) > before);
      assert.equal((await request(net.app).get('/readyz')).status, 200);
      const user = await asRole(appUrl, async (client) => {
        const { rows } = await client.query<{ user: string }>('SELECT current_user AS user');
        return rows[0]?.user;
      });
      assert.equal(user, roles.app);
    });

    it('refuses the application role UPDATE, DELETE and TRUNCATE on every audit table', async () => {
      await net.submitReferral(net.police, net.shelter);
      const found = await asRole(appUrl, async (client) => {
        const codes: Record<string, string> = {};
        for (const [table, column] of Object.entries(APPEND_ONLY)) {
          codes[`UPDATE ${table}`] = await refusal(
            client,
            `UPDATE ${table} SET ${column} = ${column}`,
          );
          codes[`DELETE ${table}`] = await refusal(client, `DELETE FROM ${table}`);
          codes[`TRUNCATE ${table}`] = await refusal(client, `TRUNCATE ${table}`);
        }
        for (const statement of [
          'DELETE FROM audit_sequence',
          'TRUNCATE audit_sequence',
          'INSERT INTO audit_sequence (id, last_seq) VALUES (2, 0)',
          "INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-forged', 'now')",
          'DELETE FROM kysely_migration',
          'DROP TRIGGER audit_event_refuse_update_delete ON audit_event',
          'ALTER TABLE audit_event DISABLE TRIGGER USER',
          'CREATE TABLE audit_shadow (seq bigint)',
        ]) {
          codes[statement] = await refusal(client, statement);
        }
        return codes;
      });
      // 42501 insufficient_privilege; 42501 too for DDL on a table the role does not own.
      for (const [statement, code] of Object.entries(found)) {
        assert.equal(code, '42501', `${statement} answered ${code}`);
      }
    });

    it('lets the application role move the log counter forward only', async () => {
      const codes = await asRole(appUrl, async (client) => [
        await refusal(client, 'UPDATE audit_sequence SET last_seq = last_seq - 1'),
        await refusal(client, 'UPDATE audit_sequence SET last_seq = 0'),
        await refusal(client, 'UPDATE audit_sequence SET frontier = frontier'),
      ]);
      // P0001: the trigger of migration 0018; the last one changes nothing and is allowed.
      assert.deepEqual(codes, ['P0001', 'P0001', 'none']);
    });

    it('refuses even the owner rewriting history, through the triggers', async () => {
      const codes = await asRole(ownerUrl, async (client) => ({
        update: await refusal(client, 'UPDATE audit_event SET resource = resource'),
        delete: await refusal(client, 'DELETE FROM audit_tree_node'),
        truncate: await refusal(client, 'TRUNCATE audit_event_ref'),
        counterDelete: await refusal(client, 'DELETE FROM audit_sequence'),
        counterTruncate: await refusal(client, 'TRUNCATE audit_sequence'),
        counterBack: await refusal(client, 'UPDATE audit_sequence SET last_seq = 0'),
      }));
      for (const [what, code] of Object.entries(codes)) assert.equal(code, 'P0001', what);
    });

    it('takes back on every migrate a privilege on an audit table granted since', async () => {
      await asRole(ownerUrl, (client) =>
        client.query(`GRANT UPDATE, DELETE, TRUNCATE ON audit_event TO ${roles.app}`),
      );
      // Granted, the statements reach the triggers (P0001) instead of stopping at the grants.
      assert.deepEqual(
        await asRole(appUrl, async (client) => [
          await refusal(client, 'TRUNCATE audit_event'),
          await refusal(client, 'DELETE FROM audit_event'),
        ]),
        ['P0001', 'P0001'],
      );
      const migrated = (await enlaceJson(
        { ENLACE_DATABASE_URL: ownerUrl, ENLACE_DATA_DIR: dataDir },
        'db',
        'migrate',
      )) as { applied: string[] };
      assert.deepEqual(migrated.applied, []);
      const codes = await asRole(appUrl, async (client) => [
        await refusal(client, 'TRUNCATE audit_event'),
        await refusal(client, 'DELETE FROM audit_event'),
      ]);
      assert.deepEqual(codes, ['42501', '42501']);
    });

    it("is not ready when the role's sessions get synchronous_commit off, and says which check", async () => {
      // A role setting reaches every new session of that role, whatever the server's default.
      await asRole(adminUrl, (admin) =>
        admin.query(`ALTER ROLE ${roles.app} SET synchronous_commit = off`),
      );
      try {
        const store = await openStore({ databaseUrl: appUrl, dataDir, migrate: 'check' });
        try {
          const report = await store.checkReady();
          assert.equal(report.ok, false);
          assert.deepEqual(report.checks['synchronous-commit'], {
            ok: false,
            detail:
              'synchronous_commit is off; on (or remote_apply with synchronous standbys) is required',
          });
          assert.equal(report.checks['fsync']?.ok, true);
        } finally {
          await store.close();
        }
      } finally {
        await asRole(adminUrl, (admin) =>
          admin.query(`ALTER ROLE ${roles.app} RESET synchronous_commit`),
        );
      }
    });

    it('refuses to start on a schema with a migration pending instead of running it', async () => {
      const later = { name: '9999-later', up: () => Promise.resolve() };
      await assert.rejects(
        openStore({
          databaseUrl: appUrl,
          dataDir,
          migrate: 'check',
          migrations: [...enlaceMigrations, later],
        }),
        (error: Error & { code?: string }) =>
          error.code === 'ENLACE_STORE_SCHEMA_OLDER' && /enlace db migrate/.test(error.message),
      );
    });

    it('starts as the application role with migrations on apply while the schema is current', async () => {
      const store = await openStore({ databaseUrl: appUrl, dataDir });
      try {
        assert.equal((await store.checkReady()).ok, true);
      } finally {
        await store.close();
      }
      const later = {
        name: '9999-later',
        up: async (db: Kysely<unknown>) => {
          await db.schema.createTable('later').addColumn('id', 'integer').execute();
        },
      };
      // The application role may not change the schema: the migration fails, nothing is applied.
      await assert.rejects(
        openStore({ databaseUrl: appUrl, dataDir, migrations: [...enlaceMigrations, later] }),
        (error: Error & { code?: string }) => error.code === 'ENLACE_STORE_MIGRATION_FAILED',
      );
    });

    it('prints the same SQL, runnable as a script and again without harm', async () => {
      const printed = uniqueRoles();
      let out = '';
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = (chunk: string | Uint8Array) => {
        out += chunk.toString();
        return true;
      };
      let code: number;
      try {
        code = await runCli(
          ['db', 'setup', '--owner-role', printed.owner, '--app-role', printed.app],
          {},
        );
      } finally {
        process.stdout.write = write;
      }
      assert.equal(code, 0);
      assert.match(out, /^-- Enlace: roles/);
      const scratch = await createPostgresDatabase(adminUrl);
      try {
        const url = scratch.url ?? '';
        // The simple query protocol runs a whole script, as psql would.
        await asRole(url, (admin) => admin.query(out));
        await asRole(url, (admin) => admin.query(out));
        const { rows } = await asRole(url, (admin) =>
          admin.query<{ rolname: string; rolsuper: boolean }>(
            'SELECT rolname, rolsuper FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname',
            [[printed.owner, printed.app]],
          ),
        );
        assert.deepEqual(
          rows.map((row) => [row.rolname, row.rolsuper]),
          [printed.app, printed.owner].sort().map((name) => [name, false]),
        );
      } finally {
        await scratch.drop();
        await dropRoles(adminUrl, printed);
      }
    });
  },
);
