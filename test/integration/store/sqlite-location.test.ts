// SQLite specifics: where the file goes, who may read it, and the connection settings it gets.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStore, StoreError } from '../../../src/store/index.js';

describe('SQLite store location and settings', function () {
  let dataDir = '';

  beforeEach(async function () {
    dataDir = await mkdtemp(join(tmpdir(), 'enlace-sqlite-'));
  });

  afterEach(async function () {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates enlace.db in the data folder when no database URL is set', async function () {
    const folder = join(dataDir, 'data');
    const store = await openStore({ databaseUrl: '', dataDir: folder });
    try {
      assert.equal(store.dialect, 'sqlite');
      const file = await stat(join(folder, 'enlace.db'));
      assert.ok(file.isFile());
    } finally {
      await store.close();
    }
  });

  it('creates the database file readable by its owner only', async function () {
    const path = join(dataDir, 'private', 'enlace.db');
    const store = await openStore({ databaseUrl: `sqlite:${path}`, dataDir });
    try {
      assert.equal((await stat(path)).mode & 0o777, 0o600);
    } finally {
      await store.close();
    }
  });

  it('opens the file with WAL, full sync, foreign keys, a busy timeout and recursive triggers', async function () {
    const store = await openStore({ dataDir });
    try {
      const pragma = async (name: string): Promise<unknown> => {
        const { rows } = await sql<Record<string, unknown>>`PRAGMA ${sql.raw(name)}`.execute(
          store.db,
        );
        return Object.values(rows[0] ?? {})[0];
      };
      assert.equal(await pragma('journal_mode'), 'wal');
      assert.equal(await pragma('synchronous'), 2);
      assert.equal(await pragma('foreign_keys'), 1);
      assert.equal(await pragma('busy_timeout'), 5000);
      assert.equal(await pragma('recursive_triggers'), 1);
    } finally {
      await store.close();
    }
  });

  it('refuses an unsupported database URL without repeating it', async function () {
    await assert.rejects(
      openStore({ databaseUrl: 'mysql://enlace:s3cret@db.example/enlace', dataDir }),
      (error) => {
        assert.ok(error instanceof StoreError);
        assert.equal(error.code, 'ENLACE_STORE_UNSUPPORTED_URL');
        assert.doesNotMatch(error.message, /s3cret|db\.example/);
        return true;
      },
    );
  });

  it('can be closed twice', async function () {
    const store = await openStore({ dataDir });
    await store.close();
    await store.close();
  });
});
