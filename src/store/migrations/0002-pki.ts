// Migration 0002: the certificates the gateway's issuing CA signed, with their revocation state.
import type { StoreMigration } from './store-migration.js';

export const pki: StoreMigration = {
  name: '0002-pki',
  async up(db) {
    await db.schema
      .createTable('pki_certificate')
      .addColumn('serial', 'text', (column) => column.primaryKey())
      .addColumn('partner_id', 'text', (column) => column.notNull())
      .addColumn('subject', 'text', (column) => column.notNull())
      .addColumn('not_before', 'text', (column) => column.notNull())
      .addColumn('not_after', 'text', (column) => column.notNull())
      .addColumn('pem', 'text', (column) => column.notNull())
      .addColumn('issued_at', 'text', (column) => column.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('revocation_reason', 'text')
      .execute();
    await db.schema
      .createIndex('pki_certificate_partner_id')
      .on('pki_certificate')
      .column('partner_id')
      .execute();
    // The CRL lists every revoked certificate; the index keeps that scan off the whole table.
    await db.schema
      .createIndex('pki_certificate_revoked_at')
      .on('pki_certificate')
      .column('revoked_at')
      .execute();
  },
};
