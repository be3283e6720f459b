// Refuses a database whose schema is not exactly this build's: newer, or with a migration still to apply.
import type { Kysely } from 'kysely';
import { StoreError } from '../store-error.js';
import { assertSchemaNotNewer, readAppliedNames } from './assert-schema-not-newer.js';
import type { StoreMigration } from './store-migration.js';

// Why refuse rather than run: a gateway that does not migrate (ENLACE_DATABASE_MIGRATIONS=check)
// runs as a role that cannot; on an older schema its queries would fail one by one, at random.
export async function assertSchemaCurrent(
  db: Kysely<unknown>,
  known: readonly StoreMigration[],
): Promise<void> {
  await assertSchemaNotNewer(db, known);
  const applied = new Set(await readAppliedNames(db));
  const pending = known.filter((migration) => !applied.has(migration.name));
  const first = pending[0];
  if (first !== undefined) {
    throw new StoreError(
      'ENLACE_STORE_SCHEMA_OLDER',
      `database schema is older than this Enlace (${pending.length} migration(s) pending, from "${first.name}"); ` +
        "run `enlace db migrate` with the schema owner's ENLACE_DATABASE_URL, or set ENLACE_DATABASE_MIGRATIONS=apply",
    );
  }
}
