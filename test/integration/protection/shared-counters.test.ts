import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import {
  counterFileOf,
  createSqlCounters,
  openSqliteCounters,
  type CounterStore,
} from '../../../src/protection/index.js';
import type { CounterTables } from '../../../src/protection/sql-counters.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { selectRows, testEngines, type TestDatabase } from '../../support/test-database.js';

const MINUTE = 60_000;
const T0 = Date.parse('2025-03-01T10:00:00.000Z');

for (const engine of testEngines()) {
  describe(`rate-limit counters in the database (${engine.name})`, () => {
    let database: TestDatabase;
    let dataDir: string;
    const stores: Store[] = [];
    const counters: CounterStore[] = [];

    /** One instance's counters, as the gateway opens them for this engine. */
    const openCounters = async (): Promise<CounterStore> => {
      if (database.url === undefined) {
        const opened = openSqliteCounters(counterFileOf(join(dataDir, 'enlace.db')));
        counters.push(opened);
        return opened;
      }
      const store = await openStore({ databaseUrl: database.url, dataDir });
      stores.push(store);
      const opened = createSqlCounters(store.db as unknown as Kysely<CounterTables>);
      counters.push(opened);
      return opened;
    };

    before(async () => {
      database = await engine.create();
      dataDir = await mkdtemp(join(tmpdir(), 'enlace-counters-'));
    });
    after(async () => {
      for (const opened of counters) await opened.close();
      for (const store of stores) await store.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('counts concurrent hits of two instances atomically, each seeing its own increment', async () => {
      const [a, b] = [await openCounters(), await openCounters()];
      const hits = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).hit('client:p', T0, MINUTE)),
      );
      assert.deepEqual(
        hits.map((count) => count.hits).sort((x, y) => x - y),
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
    });

    it('moves a counter on to the next window as the window arithmetic says', async () => {
      const a = await openCounters();
      await a.hit('client:q', T0, MINUTE);
      await a.hit('client:q', T0, MINUTE);
      assert.deepEqual(await a.hit('client:q', T0 + MINUTE, MINUTE), {
        windowStart: T0 + MINUTE,
        hits: 1,
        previousHits: 2,
      });
      // An instance whose clock is behind counts into the window already open.
      assert.deepEqual(await a.hit('client:q', T0, MINUTE), {
        windowStart: T0 + MINUTE,
        hits: 2,
        previousHits: 2,
      });
      assert.deepEqual(await a.hit('client:q', T0 + 5 * MINUTE, MINUTE), {
        windowStart: T0 + 5 * MINUTE,
        hits: 1,
        previousHits: 0,
      });
    });

    it('prunes counters whose window no longer weighs', async () => {
      const a = await openCounters();
      await a.hit('old', T0 - 10 * MINUTE, MINUTE);
      await a.hit('recent', T0 + 9 * MINUTE, MINUTE);
      await a.prune(T0 + 8 * MINUTE);
      const keys = await counterKeys();
      assert.ok(!keys.includes('old'));
      assert.ok(keys.includes('recent'));
    });

    if (engine.name === 'sqlite') {
      it('keeps the counters in a WAL file of their own, readable by its owner only', async () => {
        const file = counterFileOf(join(dataDir, 'enlace.db'));
        assert.equal(file, join(dataDir, 'enlace.rate-limits.db'));
        assert.equal((await stat(file)).mode & 0o777, 0o600);
        const { default: Sqlite } = await import('better-sqlite3');
        const opened = new Sqlite(file, { readonly: true });
        try {
          assert.equal(opened.pragma('journal_mode', { simple: true }), 'wal');
        } finally {
          opened.close();
        }
      });
    } else {
      it('keeps the counters in an UNLOGGED table, so a hit writes no WAL', async () => {
        const rows = await selectRows<{ relpersistence: string }>(
          database,
          dataDir,
          "select relpersistence from pg_class where relname = 'rate_limit_counter'",
        );
        assert.deepEqual(rows, [{ relpersistence: 'u' }]);
      });
    }

    async function counterKeys(): Promise<string[]> {
      if (database.url !== undefined) {
        const rows = await selectRows<{ key: string }>(
          database,
          dataDir,
          'select key from rate_limit_counter',
        );
        return rows.map((row) => row.key);
      }
      const { default: Sqlite } = await import('better-sqlite3');
      const file = new Sqlite(counterFileOf(join(dataDir, 'enlace.db')), { readonly: true });
      try {
        return (file.prepare('select key from rate_limit_counter').all() as { key: string }[]).map(
          (row) => row.key,
        );
      } finally {
        file.close();
      }
    }
  });
}
