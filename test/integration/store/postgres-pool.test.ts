// The PostgreSQL pool: bounded connections, server-side timeouts, counts for metrics, and no poisoned client after a timeout.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import {
  isDatabaseUnavailable,
  openStore,
  type PostgresPoolSettings,
  type Store,
} from '../../../src/store/index.js';
import {
  createPostgresDatabase,
  POSTGRES_ADMIN_URL,
  testEngines,
  type TestDatabase,
} from '../../support/test-database.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const SETTINGS: PostgresPoolSettings = {
  max: 2,
  connectTimeoutMs: 2_000,
  statementTimeoutMs: 250,
  idleTransactionTimeoutMs: 300,
};

const postgresRun = testEngines().some((engine) => engine.name === 'postgres');

(postgresRun ? describe : describe.skip)(
  'the PostgreSQL pool (PostgreSQL only: needs ENLACE_TEST_DATABASE_URL)',
  function () {
    this.timeout(60_000);
    let database: TestDatabase;
    let store: Store;

    before(async () => {
      database = await createPostgresDatabase(POSTGRES_ADMIN_URL ?? '');
      store = await openStore({ databaseUrl: database.url, dataDir: tmpdir(), pool: SETTINGS });
    });
    after(async () => {
      await store.close();
      await database.drop();
    });

    it('runs every session under the configured statement and idle-transaction timeouts', async () => {
      const { rows } = await sql<{ statement: string; idle: string }>`
        SELECT current_setting('statement_timeout') AS statement,
               current_setting('idle_in_transaction_session_timeout') AS idle
      `.execute(store.db);
      assert.deepEqual(rows[0], { statement: '250ms', idle: '300ms' });
    });

    it('ends a statement past its timeout as "database unavailable", and the pool serves on', async () => {
      const error = await sql`SELECT pg_sleep(2)`.execute(store.db).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      assert.equal((error as { code?: string } | undefined)?.code, '57014');
      assert.equal(isDatabaseUnavailable(error), true);
      const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(store.db);
      assert.deepEqual(rows, [{ one: 1 }]);
      assert.equal((await store.checkReady()).ok, true);
    });

    it('ends a transaction left idle, and the next request gets a healthy connection', async () => {
      const error = await store
        .transaction(async (unit) => {
          await sql`SELECT 1`.execute(unit.db);
          await sleep(SETTINGS.idleTransactionTimeoutMs + 400);
          await sql`SELECT 1`.execute(unit.db);
        })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      assert.ok(error !== undefined, 'the idle transaction went on');
      assert.equal(isDatabaseUnavailable(error), true, (error as Error).message);
      // The server closed that session; the pool drops the client rather than hand it out again.
      for (let attempt = 0; attempt < 4; attempt += 1) {
        const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(store.db);
        assert.deepEqual(rows, [{ one: 1 }]);
      }
      assert.equal((await store.checkReady()).ok, true);
    });

    it('opens at most ENLACE_DATABASE_POOL_MAX connections and counts the queries waiting', async () => {
      const seen: { total: number; waiting: number }[] = [];
      const running = Promise.all(
        Array.from({ length: 5 }, () => sql`SELECT pg_sleep(0.1)`.execute(store.db)),
      );
      for (let poll = 0; poll < 5; poll += 1) {
        const stats = store.poolStats();
        assert.ok(stats !== undefined);
        seen.push({ total: stats.total, waiting: stats.waiting });
        await sleep(20);
      }
      await running;
      assert.ok(
        seen.every((stats) => stats.total <= SETTINGS.max),
        JSON.stringify(seen),
      );
      assert.ok(
        seen.some((stats) => stats.waiting > 0),
        JSON.stringify(seen),
      );
      assert.equal(store.poolStats()?.waiting, 0);
    });

    it('fails a query that waits for a connection past the connect timeout, as unavailable', async () => {
      const narrow = await openStore({
        databaseUrl: database.url,
        dataDir: tmpdir(),
        pool: { ...SETTINGS, max: 1, connectTimeoutMs: 200, statementTimeoutMs: 5_000 },
      });
      try {
        const holder = sql`SELECT pg_sleep(0.6)`.execute(narrow.db);
        await sleep(50);
        const started = Date.now();
        const error = await sql`SELECT 1`.execute(narrow.db).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        const waited = Date.now() - started;
        await holder;
        assert.ok(error !== undefined, 'the query found a connection');
        assert.equal(isDatabaseUnavailable(error), true, (error as Error).message);
        assert.ok(waited >= 150 && waited < 500, `waited ${waited} ms for a 200 ms timeout`);
      } finally {
        await narrow.close();
      }
    });
  },
);

describe('the embedded store', () => {
  it('has no pool to report', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'enlace-pool-'));
    const store = await openStore({ dataDir });
    try {
      assert.equal(store.poolStats(), undefined);
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
