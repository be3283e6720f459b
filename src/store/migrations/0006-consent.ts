// Migration 0006: consents by survivor pseudonym, every version kept, disclosures made under them, per-survivor epochs.
import type { Kysely } from 'kysely';
import type { StoreMigration } from './store-migration.js';

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('consent')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('pseudonym', 'text', (column) => column.notNull())
    .addColumn('key_id', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('recorder', 'text', (column) => column.notNull())
    .addColumn('recorded_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addColumn('resource', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('consent_pseudonym_status')
    .on('consent')
    .columns(['pseudonym', 'status'])
    .execute();

  await db.schema
    .createTable('consent_version')
    .addColumn('id', 'text', (column) =>
      column.notNull().references('consent.id').onDelete('restrict'),
    )
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('resource', 'text', (column) => column.notNull())
    .addColumn('changed_at', 'text', (column) => column.notNull())
    .addColumn('changed_by', 'text', (column) => column.notNull())
    .addColumn('change', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('consent_version_pk', ['id', 'version'])
    .execute();

  await db.schema
    .createTable('consent_disclosure')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('consent_id', 'text', (column) =>
      column.notNull().references('consent.id').onDelete('restrict'),
    )
    .addColumn('consent_version', 'integer', (column) => column.notNull())
    .addColumn('recipient', 'text', (column) => column.notNull())
    .addColumn('disclosed_at', 'text', (column) => column.notNull())
    .addColumn('what', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('consent_disclosure_consent')
    .on('consent_disclosure')
    .column('consent_id')
    .execute();

  await db.schema
    .createTable('survivor_consent_state')
    .addColumn('pseudonym', 'text', (column) => column.primaryKey())
    .addColumn('epoch', 'integer', (column) => column.notNull())
    .execute();
}

export const consent: StoreMigration = { name: '0006-consent', up };
