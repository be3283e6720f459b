// Migration 0003: the partner registry — institutions, their OAuth clients and push endpoints.
import type { Kysely } from 'kysely';
import type { StoreMigration } from './store-migration.js';

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('partner')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('role', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('partner_role').on('partner').column('role').execute();

  await db.schema
    .createTable('partner_client')
    .addColumn('client_id', 'text', (column) => column.primaryKey())
    .addColumn('partner_id', 'text', (column) =>
      column.notNull().references('partner.id').onDelete('restrict'),
    )
    .addColumn('allowed_algorithms', 'text', (column) => column.notNull())
    .addColumn('jwks', 'text')
    .addColumn('certificate_fingerprints', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('partner_client_partner')
    .on('partner_client')
    .column('partner_id')
    .execute();

  await db.schema
    .createTable('partner_endpoint')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('partner_id', 'text', (column) =>
      column.notNull().references('partner.id').onDelete('restrict'),
    )
    .addColumn('address', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('partner_endpoint_partner')
    .on('partner_endpoint')
    .column('partner_id')
    .execute();
}

export const partners: StoreMigration = { name: '0003-partners', up };
