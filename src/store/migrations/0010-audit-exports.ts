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
    // Why in the database on PostgreSQL: instances share it, not their disks; any of them serves
    // the files of an export another one wrote. The embedded engine keeps them as files.
    await db.schema
      .createTable('audit_export_file')
      .addColumn('export_id', 'text', (column) => column.notNull())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('part', 'integer', (column) => column.notNull())
      .addColumn('data', dialect === 'sqlite' ? 'blob' : 'bytea', (column) => column.notNull())
      .addPrimaryKeyConstraint('audit_export_file_pk', ['export_id', 'name', 'part'])
      .execute();
  },
};
