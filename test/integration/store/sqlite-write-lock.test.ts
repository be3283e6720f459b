// SQLite's write lock shared by two processes: a transaction waiting for it leaves the event loop free.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { isDatabaseUnavailable, openStore, type Store } from '../../../src/store/index.js';
import { beginImmediate } from '../../../src/store/sqlite/begin-immediate.js';
import { openSqliteDatabase } from '../../../src/store/sqlite/open-sqlite-database.js';

describe('the SQLite write lock', function () {
  let dataDir = '';
  let holder: BetterSqlite3.Database | undefined;
  let store: Store | undefined;

  beforeEach(async function () {
    dataDir = await mkdtemp(join(tmpdir(), 'enlace-sqlite-lock-'));
  });

  afterEach(async function () {
    if (holder?.inTransaction === true) holder.exec('rollback');
    holder?.close();
    await store?.close();
    [holder, store] = [undefined, undefined];
    await rm(dataDir, { recursive: true, force: true });
  });

  it('waits for another connection’s write lock on timers, then takes it', async function () {
    store = await openStore({ databaseUrl: '', dataDir });
    // A second connection to the same file stands for another worker process.
    holder = openSqliteDatabase(join(dataDir, 'enlace.db'));
    holder.exec('begin immediate');

    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 1);
    const started = Date.now();
    const written = store.transaction(async (unit) => {
      await sql`create table if not exists lock_probe (n integer)`.execute(unit.db);
      await sql`insert into lock_probe (n) values (1)`.execute(unit.db);
    });
    await sleep(60);
    const ticksWhileHeld = ticks;
    holder.exec('commit');
    await written;
    clearInterval(ticker);

    // With SQLite's own busy handler the wait would sleep inside the call and no timer would fire.
    assert.ok(ticksWhileHeld >= 10, `only ${ticksWhileHeld} timer ticks while the lock was held`);
    assert.ok(Date.now() - started >= 60);
    const { rows } = await sql<{ n: number }>`select n from lock_probe`.execute(store.db);
    assert.deepEqual(rows, [{ n: 1 }]);
  });

  it('gives up after its timeout with the busy error the store reports as unavailable', async function () {
    const path = join(dataDir, 'enlace.db');
    const waiter = openSqliteDatabase(path);
    holder = openSqliteDatabase(path);
    holder.exec('begin immediate');
    try {
      const begin = beginImmediate(waiter, 40);
      const started = Date.now();
      await assert.rejects(begin(), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'SQLITE_BUSY');
        assert.ok(isDatabaseUnavailable(error));
        return true;
      });
      assert.ok(Date.now() - started >= 40);
      assert.equal(waiter.inTransaction, false);
      // Every other statement keeps the configured busy timeout.
      assert.equal(waiter.pragma('busy_timeout', { simple: true }), 5000);
    } finally {
      // Closing a WAL connection checkpoints, which would wait for the lock the holder still has.
      holder.exec('rollback');
      waiter.close();
    }
  });

  it('does not retry an error other than busy', async function () {
    const waiter = openSqliteDatabase(join(dataDir, 'enlace.db'));
    try {
      const begin = beginImmediate(waiter);
      await begin();
      // A transaction is already open on this connection: SQLite refuses a nested BEGIN at once.
      await assert.rejects(begin(), /within a transaction/);
      waiter.exec('rollback');
    } finally {
      waiter.close();
    }
  });
});
