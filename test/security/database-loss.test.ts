import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import request from 'supertest';
import { TOKEN_PATH } from '../../src/auth/index.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import {
  createPostgresDatabase,
  POSTGRES_ADMIN_URL,
  sqlite,
  testEngines,
  type TestDatabase,
  type TestEngine,
} from '../support/test-database.js';
import { startAttackNetwork, type AttackNetwork } from './attack-network.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface Outcome {
  readonly resourceType: string;
  readonly issue: readonly { readonly code: string; readonly diagnostics?: string }[];
}

/** A fault the test switches on and off: a cut proxy on PostgreSQL, a held write lock on SQLite. */
interface Outage {
  readonly engine: TestEngine;
  start(net: AttackNetwork): Promise<void>;
  end(): Promise<void>;
  close(): Promise<void>;
  /** Words that must not reach an unauthenticated caller while the fault lasts. */
  readonly secrets: () => readonly string[];
}

function postgresOutage(adminUrl: string): Outage {
  let proxy: TcpProxy | undefined;
  let database: TestDatabase | undefined;
  return {
    engine: {
      name: 'postgres',
      async create() {
        const admin = new URL(adminUrl);
        proxy = await startTcpProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
        database = await createPostgresDatabase(adminUrl);
        const url = new URL(database.url ?? '');
        url.port = String(proxy.port);
        return {
          env: { ENLACE_DATABASE_URL: url.toString() },
          drop: () => database?.drop() ?? Promise.resolve(),
        };
      },
    },
    start: async () => proxy?.cut(),
    end: async () => proxy?.restore(),
    close: async () => proxy?.close(),
    secrets: () => [
      new URL(database?.url ?? 'postgres://x/none').pathname.slice(1),
      'ECONNREFUSED',
      '08006',
      '57P01',
    ],
  };
}

function sqliteOutage(): Outage {
  let holder: Database.Database | undefined;
  return {
    engine: sqlite,
    start(net) {
      // Another process holding the write lock past busy_timeout: the embedded engine's outage.
      holder = new Database(join(net.test.dataDir, 'enlace.db'));
      holder.exec('BEGIN EXCLUSIVE');
      return Promise.resolve();
    },
    end() {
      holder?.exec('ROLLBACK');
      holder?.close();
      holder = undefined;
      return Promise.resolve();
    },
    close() {
      holder?.close();
      return Promise.resolve();
    },
    secrets: () => ['SQLITE_BUSY', 'database is locked', 'enlace.db'],
  };
}

// The outage of each engine this run covers (the PostgreSQL one needs ENLACE_TEST_DATABASE_URL).
const outages = (): Outage[] =>
  testEngines().map((engine) =>
    engine.name === 'sqlite' ? sqliteOutage() : postgresOutage(POSTGRES_ADMIN_URL ?? ''),
  );

for (const outage of outages()) {
  describe(`losing the database (${outage.engine.name})`, function () {
    this.timeout(90_000);
    let net: AttackNetwork;
    let police: string;

    before(async () => {
      net = await startAttackNetwork(outage.engine);
      police = await net.token(net.police);
      await outage.start(net);
    });
    after(async () => {
      await outage.end();
      await net.dispose();
      await outage.close();
    });

    it('answers the token endpoint 503 with Retry-After, as an OAuth error', async () => {
      const res = await request(net.app)
        .post(TOKEN_PATH)
        .type('form')
        .send({
          grant_type: 'client_credentials',
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: await net.assertion(net.police),
          scope: 'system/Task.rs',
        });
      assert.equal(res.status, 503, res.text);
      assert.ok(Number(res.get('Retry-After')) > 0);
      assert.equal((res.body as { error: string }).error, 'temporarily_unavailable');
    });

    it('answers an API call 503 with Retry-After and a transient OperationOutcome', async () => {
      const res = await request(net.app).get('/fhir/Task').set('Authorization', `Bearer ${police}`);
      assert.equal(res.status, 503, res.text);
      assert.ok(Number(res.get('Retry-After')) > 0);
      const outcome = res.body as Outcome;
      assert.equal(outcome.resourceType, 'OperationOutcome');
      assert.equal(outcome.issue[0]?.code, 'transient');
    });

    it('answers /readyz 503 without naming the database, its codes or its errors', async () => {
      const res = await request(net.app).get('/readyz');
      assert.equal(res.status, 503);
      for (const secret of outage.secrets()) {
        assert.ok(!res.text.includes(secret), `readiness shows ${secret}: ${res.text}`);
      }
    });

    it('recovers by itself when the database returns', async () => {
      await outage.end();
      let status = 0;
      for (let attempt = 0; attempt < 20 && status !== 200; attempt += 1) {
        // The pool may hold connections the outage cut; each failed use replaces one.
        status = (await request(net.app).get('/fhir/Task').set('Authorization', `Bearer ${police}`))
          .status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.equal(status, 200);
      assert.equal((await request(net.app).get('/readyz')).status, 200);
      assert.ok((await net.token(net.shelter)).length > 0);
    });
  });
}

if (testEngines().some((engine) => engine.name === 'postgres')) {
  const adminUrl = POSTGRES_ADMIN_URL ?? '';
  describe('losing the database (postgres, dropped)', function () {
    this.timeout(60_000);
    it('answers 503, not 500, once its database is dropped', async () => {
      let name = '';
      const engine: TestEngine = {
        name: 'postgres',
        async create() {
          const database = await createPostgresDatabase(adminUrl);
          name = new URL(database.url ?? '').pathname.slice(1);
          return database;
        },
      };
      const net = await startAttackNetwork(engine);
      try {
        const police = await net.token(net.police);
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
        await admin.end();
        const res = await request(net.app)
          .get('/fhir/Task')
          .set('Authorization', `Bearer ${police}`);
        assert.equal(res.status, 503, res.text);
        assert.ok(!res.text.includes(name));
      } finally {
        await net.test.services.store.close();
        await net.dispose().catch(() => undefined);
      }
    });
  });
}
