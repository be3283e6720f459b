// Refuses a database that recorded a migration this build does not know: its schema is newer.
import { DEFAULT_MIGRATION_TABLE } from 'kysely';
import type { Kysely } from 'kysely';
import { StoreError } from '../store-error.js';
import type { StoreMigration } from './store-migration.js';

// A type alias, not an interface: kysely's withTables needs an index-signature-compatible type.
type MigrationTables = {
  kysely_migration: { name: string; timestamp: string };
};

export async function readAppliedNames(db: Kysely<unknown>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((table) => table.name === DEFAULT_MIGRATION_TABLE)) {
    return [];
  }
  const rows = await db
    .withTables<MigrationTables>()
    .selectFrom('kysely_migration')
    .select('name')
    .orderBy('name')
    .execute();
  return rows.map((row) => row.name);
}

// Why: running older code against a newer schema could write rows the newer schema's rules
// (constraints, triggers, encryption format) no longer expect; stopping at start is the safe answer.
export async function assertSchemaNotNewer(
  db: Kysely<unknown>,
  known: readonly StoreMigration[],
): Promise<void> {
  const knownNames = new Set(known.map((migration) => migration.name));
  const unknown = (await readAppliedNames(db)).filter((name) => !knownNames.has(name));
  const newest = unknown.at(-1);
  if (newest !== undefined) {
    throw new StoreError(
      'ENLACE_STORE_SCHEMA_NEWER',
      `database schema is newer than this Enlace (unknown migration "${newest}"); ` +
        'upgrade Enlace or point ENLACE_DATABASE_URL at another database',
    );
  }
}
