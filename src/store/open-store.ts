// Opens the configured store and brings its schema up to date before anyone may use it.
import type { Kysely } from 'kysely';
import { enlaceMigrations } from './migrations/index.js';
import type { StoreMigration } from './migrations/index.js';
import { runMigrations } from './migrations/run-migrations.js';
import type { MigrationReport } from './migrations/run-migrations.js';
import type { Store } from './ports.js';
import { assertSchemaCurrent } from './migrations/assert-schema-current.js';
import { restrictAuditPrivileges } from './postgres/audit-privileges.js';
import { openPostgresStore, type PostgresPoolSettings } from './postgres/open-postgres-store.js';
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
  /**
   * `apply` (the default) brings the schema up to date; `check` only refuses a schema that is not
   * current, for a gateway whose database role may not change the schema.
   */
  readonly migrate?: 'apply' | 'check' | undefined;
  /** PostgreSQL pool limits and session timeouts; SQLite ignores them. */
  readonly pool?: PostgresPoolSettings | undefined;
}

export interface MigrateStoreOptions {
  readonly migrations?: readonly StoreMigration[] | undefined;
  readonly logger?: StoreLogger | undefined;
}

/**
 * Applies pending migrations to an open store, all in one transaction. On PostgreSQL it then takes
 * back from every role but the owner any privilege on the audit tables beyond appending.
 */
export async function migrateStore(
  store: Store,
  { migrations = enlaceMigrations, logger = silentLogger }: MigrateStoreOptions = {},
): Promise<MigrationReport> {
  const db = store.db as Kysely<unknown>;
  const report = await runMigrations(db, store.dialect, migrations, logger);
  if (store.dialect === 'postgres') await restrictAuditPrivileges(db);
  return report;
}

function openConfigured(options: OpenStoreOptions, logger: StoreLogger): Store {
  const location = toDatabaseLocation(options.databaseUrl, options.dataDir);
  return location.dialect === 'postgres'
    ? openPostgresStore(location.connectionString, logger, options.pool)
    : openSqliteStore(location.path);
}

/**
 * Connects to the configured database and applies pending migrations (or, with `migrate: 'check'`,
 * refuses a schema that is not current). Refuses a database whose schema is newer than this
 * build. The caller owns the store and must `close()` it.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const logger = options.logger ?? silentLogger;
  const store = openConfigured(options, logger);
  const migrations = options.migrations ?? enlaceMigrations;
  try {
    if (options.migrate === 'check') {
      await assertSchemaCurrent(store.db as Kysely<unknown>, migrations);
    } else {
      await migrateStore(store, { migrations, logger });
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** `enlace db migrate`: opens the configured database, applies what is pending, and closes it. */
export async function migrateDatabase(
  options: Omit<OpenStoreOptions, 'migrate'>,
): Promise<MigrationReport> {
  const logger = options.logger ?? silentLogger;
  const store = openConfigured(options, logger);
  try {
    return await migrateStore(store, {
      migrations: options.migrations ?? enlaceMigrations,
      logger,
    });
  } finally {
    await store.close();
  }
}
