// Group commit on SQLite: units queued behind a running one share its transaction, each in a savepoint.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { openStore, type Store, type UnitOfWork } from '../../../src/store/index.js';
import { openSqliteDatabase } from '../../../src/store/sqlite/open-sqlite-database.js';
import { buildAuditEvent } from './fixtures.js';

/** A promise and the function that settles it, so a test decides when a unit of work goes on. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const settledYet = async (promise: Promise<unknown>): Promise<boolean> => {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
};

describe('group commit on SQLite', function () {
  let dataDir = '';
  let store: Store;
  let reader: BetterSqlite3.Database;

  const insert = (unit: UnitOfWork, name: string) =>
    sql`insert into probe (name) values (${name})`.execute(unit.db);
  /** What another connection (another process) sees: only what was committed. */
  const committed = () =>
    (reader.prepare('select name from probe order by name').all() as { name: string }[]).map(
      (row) => row.name,
    );

  beforeEach(async function () {
    dataDir = await mkdtemp(join(tmpdir(), 'enlace-group-commit-'));
    store = await openStore({ databaseUrl: '', dataDir });
    await store.transaction(async (unit) => {
      await sql`create table probe (name text primary key)`.execute(unit.db);
      await sql`create table parent (id integer primary key)`.execute(unit.db);
      await sql`create table child (parent_id integer references parent (id))`.execute(unit.db);
    });
    reader = openSqliteDatabase(join(dataDir, 'enlace.db'));
  });

  afterEach(async function () {
    reader.close();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers a unit only once the units queued behind it are committed with it', async function () {
    const [holdA, holdB] = [gate(), gate()];
    const a = store.transaction(async (unit) => {
      await holdA.opened;
      await insert(unit, 'a');
      return 'A';
    });
    const b = store.transaction(async (unit) => {
      await insert(unit, 'b');
      await holdB.opened;
      return 'B';
    });
    holdA.open();
    // A's work is done and B's has begun in the same transaction: nothing is committed, so A's
    // caller must not have been answered.
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await settledYet(a), false);
    assert.deepEqual(committed(), []);
    holdB.open();
    assert.deepEqual(await Promise.all([a, b]), ['A', 'B']);
    assert.deepEqual(committed(), ['a', 'b']);
  });

  it('rolls back a failing unit alone and tells its caller at once', async function () {
    const hold = gate();
    const a = store.transaction(async (unit) => {
      await hold.opened;
      await insert(unit, 'a');
    });
    const b = store.transaction(async (unit) => {
      await insert(unit, 'b');
      throw new Error('unit b refused');
    });
    const c = store.transaction((unit) => insert(unit, 'c'));
    hold.open();
    await assert.rejects(b, /unit b refused/);
    await Promise.all([a, c]);
    assert.deepEqual(committed(), ['a', 'c']);
  });

  it('fails every unit of a batch whose commit fails, and keeps none of them', async function () {
    const hold = gate();
    const a = store.transaction(async (unit) => {
      await hold.opened;
      await insert(unit, 'a');
    });
    // A deferred foreign-key violation passes every statement and fails the COMMIT itself.
    const b = store.transaction(async (unit) => {
      await sql`pragma defer_foreign_keys = on`.execute(unit.db);
      await sql`insert into child (parent_id) values (42)`.execute(unit.db);
    });
    hold.open();
    await assert.rejects(a, /FOREIGN KEY/);
    await assert.rejects(b, /FOREIGN KEY/);
    assert.deepEqual(committed(), []);
    // The store goes on: the next unit has a transaction of its own.
    await store.transaction((unit) => insert(unit, 'after'));
    assert.deepEqual(committed(), ['after']);
  });

  it('keeps the audit log gapless when appends outside a transaction join the queue', async function () {
    const appended = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 4 === 0
          ? store.transaction(async (unit) => (await unit.audit.append(buildAuditEvent())).seq)
          : store.audit.append(buildAuditEvent()).then((record) => record.seq),
      ),
    );
    assert.deepEqual(
      [...appended].sort((x, y) => x - y),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    assert.equal(await store.audit.count(), 40);
  });

  it('carries the units beyond a full batch into the next ones', async function () {
    const results = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        store.transaction(async (unit) => {
          await insert(unit, `n${String(i).padStart(3, '0')}`);
          return i;
        }),
      ),
    );
    assert.equal(results.length, 150);
    assert.equal(committed().length, 150);
  });
});
