// Opens the configured store and brings its schema up to date before anyone may use it.
import type { Kysely } from 'kysely';
import { enlaceMigrations } from './migrations/index.js';
import type { StoreMigration } from './migrations/index.js';
import { runMigrations } from './migrations/run-migrations.js';
import type { MigrationReport } from './migrations/run-migrations.js';
import type { Store } from './ports.js';
import { openPostgresStore } from './postgres/open-postgres-store.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';
import { toDatabaseLocation } from './database-location.js';
import { silentLogger } from './store-logger.js';
import type { StoreLogger } from './store-logger.js';

export interface OpenStoreOptions {
  /** ENLACE_DATABASE_URL: postgres://…, postgresql://… or sqlite:<path>; empty means the default. */
  readonly databaseUrl?: string | undefined;
  /** Folder holding the default SQLite file `enlace.db`. */
  readonly dataDir: string;
  readonly logger?: StoreLogger | undefined;
  /** The migrations to apply; Enlace's own unless a test injects others. */
  readonly migrations?: readonly StoreMigration[] | undefined;
}

export interface MigrateStoreOptions {
  readonly migrations?: readonly StoreMigration[] | undefined;
  readonly logger?: StoreLogger | undefined;
}

/** Applies pending migrations to an open store, all in one transaction. */
export function migrateStore(
  store: Store,
  { migrations = enlaceMigrations, logger = silentLogger }: MigrateStoreOptions = {},
): Promise<MigrationReport> {
  return runMigrations(store.db as Kysely<unknown>, store.dialect, migrations, logger);
}

/**
 * Connects to the configured database and applies pending migrations. Refuses a database whose
 * schema is newer than this build. The caller owns the store and must `close()` it.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const logger = options.logger ?? silentLogger;
  const location = toDatabaseLocation(options.databaseUrl, options.dataDir);
  const store =
    location.dialect === 'postgres'
      ? openPostgresStore(location.connectionString, logger)
      : openSqliteStore(location.path);
  try {
    await migrateStore(store, { migrations: options.migrations ?? enlaceMigrations, logger });
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
