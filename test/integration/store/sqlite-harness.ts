// SQLite harness: a fresh database file in a temporary folder per test, removed afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStore } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/index.js';
import type { HarnessOpenOptions, StoreHarness } from './store-harness.js';

export async function createSqliteHarness(): Promise<StoreHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'enlace-store-'));
  // A missing sub-folder: opening must create the file's parent.
  const databaseUrl = `sqlite:${join(dataDir, 'nested', 'enlace.db')}`;
  const stores: Store[] = [];

  async function open(options: HarnessOpenOptions = {}): Promise<Store> {
    const store = await openStore({ databaseUrl, dataDir, ...options });
    stores.push(store);
    return store;
  }

  return {
    open,
    durabilityCheck: 'synchronous-full',
    async openWithWeakDurability() {
      const store = await open();
      await sql`PRAGMA synchronous = NORMAL`.execute(store.db);
      return store;
    },
    async openReadOnly() {
      const store = await open();
      await sql`PRAGMA query_only = ON`.execute(store.db);
      return store;
    },
    async dispose() {
      for (const store of stores) {
        await store.close();
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
