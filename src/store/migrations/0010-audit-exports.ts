// Migration 0010: auditors' asynchronous AuditEvent exports (FHIR Bulk Data), their state and expiry.
import type { StoreMigration } from './store-migration.js';

export const auditExports: StoreMigration = {
  name: '0010-audit-exports',
  async up(db, dialect) {
    const bigint = dialect === 'sqlite' ? 'integer' : 'bigint';
    await db.schema
      .createTable('audit_export')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('requested_by', 'text', (column) => column.notNull())
      .addColumn('request', 'text', (column) => column.notNull())
      .addColumn('filter', 'text', (column) => column.notNull())
      .addColumn('tree_size', bigint)
      .addColumn('done', bigint, (column) => column.notNull().defaultTo(0))
      .addColumn('total', bigint)
      .addColumn('error', 'text')
      .addColumn('manifest', 'text')
      .addColumn('created_at', 'text', (column) => column.notNull())
      .addColumn('updated_at', 'text', (column) => column.notNull())
      .addColumn('expires_at', 'text', (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('audit_export_expiry')
      .on('audit_export')
      .column('expires_at')
      .execute();
  },
};
