// PostgreSQL harness: a fresh database per test, created through an admin connection and dropped after.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { openStore } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/index.js';
import type { HarnessFactory, HarnessOpenOptions, StoreHarness } from './store-harness.js';

export interface PostgresHarnesses {
  readonly factory: HarnessFactory;
  close(): Promise<void>;
}

export async function connectPostgresHarnesses(adminUrl: string): Promise<PostgresHarnesses> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();

  async function createHarness(): Promise<StoreHarness> {
    // Hex only, so the name is a safe identifier without quoting.
    const name = `enlace_t_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const databaseUrl = url.toString();
    const stores: Store[] = [];

    async function open(options: HarnessOpenOptions = {}): Promise<Store> {
      const store = await openStore({ databaseUrl, dataDir: tmpdir(), ...options });
      stores.push(store);
      return store;
    }

    // Settings on the database reach every new connection, whichever one the pool hands out.
    async function openAfterSetting(setting: string): Promise<Store> {
      await open();
      await admin.query(`ALTER DATABASE ${name} SET ${setting}`);
      return open();
    }

    return {
      open,
      durabilityCheck: 'synchronous-commit',
      openWithWeakDurability: () => openAfterSetting('synchronous_commit = off'),
      openReadOnly: () => openAfterSetting('default_transaction_read_only = on'),
      async dispose() {
        for (const store of stores) {
          await store.close();
        }
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  }

  return { factory: createHarness, close: () => admin.end() };
}
