// Applies pending migrations in one transaction with kysely's Migrator, from a static list.
import { Migrator, sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../ports.js';
import { StoreError } from '../store-error.js';
import type { StoreLogger } from '../store-logger.js';
import { assertSchemaNotNewer } from './assert-schema-not-newer.js';
import type { StoreMigration } from './store-migration.js';

export interface MigrationReport {
  /** Names of the migrations this run applied, in order; empty when the schema was current. */
  readonly applied: readonly string[];
}

function assertOrdered(migrations: readonly StoreMigration[]): void {
  for (let index = 1; index < migrations.length; index += 1) {
    const previous = migrations[index - 1];
    const current = migrations[index];
    if (previous !== undefined && current !== undefined && !(previous.name < current.name)) {
      throw new StoreError(
        'ENLACE_STORE_INVALID_ARGUMENT',
        `migration "${current.name}" must sort after "${previous.name}" and be unique`,
      );
    }
  }
}

// A static provider (not FileMigrationProvider) so compiled and bundled builds find every migration.
function toProvider(migrations: readonly StoreMigration[], dialect: Dialect): MigrationProvider {
  const entries = migrations.map((migration): [string, Migration] => [
    migration.name,
    {
      up: async (db: Kysely<unknown>) => {
        // Why: the pool's statement_timeout bounds requests; an index built over a large table
        // may take longer, and a timed-out migration would stop every start.
        if (dialect === 'postgres') await sql`SET LOCAL statement_timeout = 0`.execute(db);
        await migration.up(db, dialect);
      },
    },
  ]);
  return { getMigrations: () => Promise.resolve(Object.fromEntries(entries)) };
}

export async function runMigrations(
  db: Kysely<unknown>,
  dialect: Dialect,
  migrations: readonly StoreMigration[],
  logger: StoreLogger,
): Promise<MigrationReport> {
  assertOrdered(migrations);
  await assertSchemaNotNewer(db, migrations);

  // Both adapters report transactional DDL, so kysely runs every pending migration in one
  // transaction: a failure rolls all of them back and leaves the schema as it was.
  const migrator = new Migrator({ db, provider: toProvider(migrations, dialect) });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    const what = failed === undefined ? 'schema migration' : `migration "${failed}"`;
    throw new StoreError(
      'ENLACE_STORE_MIGRATION_FAILED',
      `${what} failed; no pending migration was applied`,
      { cause: error },
    );
  }
  const applied = results.map((result) => result.migrationName);
  if (applied.length > 0) {
    logger.info({ migrations: applied, dialect }, 'database migrations applied');
  }
  return { applied };
}
