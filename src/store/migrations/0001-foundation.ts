// Migration 0001: the audit trail (append-only by trigger), its sequence, the expiring store and the readiness probe.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../ports.js';
import type { StoreMigration } from './store-migration.js';

const APPEND_ONLY_MESSAGE = 'audit_event is append-only';

/** The tables as this migration leaves them; frozen here so later schema changes cannot alter it. */
// A type alias, not an interface: kysely's withTables needs an index-signature-compatible type.
type FoundationTables = {
  audit_sequence: { id: number; last_seq: number };
};

async function createTables(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  // SQLite only aliases the rowid for the exact type "integer primary key"; PostgreSQL wants 64 bits.
  const seqType = dialect === 'sqlite' ? 'integer' : 'bigint';

  await db.schema
    .createTable('audit_event')
    .addColumn('seq', seqType, (column) => column.primaryKey())
    .addColumn('id', 'text', (column) => column.notNull().unique())
    .addColumn('recorded', 'text', (column) => column.notNull())
    .addColumn('type_code', 'text')
    .addColumn('subtype_code', 'text')
    .addColumn('action', 'text')
    .addColumn('outcome', 'text')
    .addColumn('agent_who', 'text')
    .addColumn('entity_what', 'text')
    .addColumn('resource', 'text', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('audit_sequence')
    .addColumn('id', 'integer', (column) => column.primaryKey())
    .addColumn('last_seq', 'bigint', (column) => column.notNull())
    .addCheckConstraint('audit_sequence_single_row', sql`id = 1`)
    .execute();
  await db
    .withTables<FoundationTables>()
    .insertInto('audit_sequence')
    .values({ id: 1, last_seq: 0 })
    .execute();

  await db.schema
    .createTable('kv_entry')
    .addColumn('key', 'text', (column) => column.primaryKey())
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('expires_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('kv_entry_expires_at').on('kv_entry').column('expires_at').execute();

  await db.schema
    .createTable('readiness_probe')
    .addColumn('id', 'integer', (column) => column.primaryKey())
    .addColumn('checked_at', 'bigint', (column) => column.notNull())
    .addCheckConstraint('readiness_probe_single_row', sql`id = 1`)
    .execute();
}

// Why: audit records are evidence; the database itself refuses to change or remove them, so no
// code path (and no mistaken ad-hoc query) can rewrite history without dropping the triggers.
async function createSqliteAppendOnlyTriggers(db: Kysely<unknown>): Promise<void> {
  for (const operation of ['UPDATE', 'DELETE'] as const) {
    await sql`
      CREATE TRIGGER ${sql.id(`audit_event_refuse_${operation.toLowerCase()}`)}
      BEFORE ${sql.raw(operation)} ON audit_event
      BEGIN SELECT RAISE(ABORT, ${sql.lit(APPEND_ONLY_MESSAGE)}); END
    `.execute(db);
  }
}

async function createPostgresAppendOnlyTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION enlace_refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION ${sql.lit(APPEND_ONLY_MESSAGE)};
    END
    $$
  `.execute(db);
  await sql`
    CREATE TRIGGER audit_event_refuse_update_delete
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION enlace_refuse_audit_change()
  `.execute(db);
  await sql`
    CREATE TRIGGER audit_event_refuse_truncate
    BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION enlace_refuse_audit_change()
  `.execute(db);
}

export const foundation: StoreMigration = {
  name: '0001-foundation',
  async up(db, dialect) {
    await createTables(db, dialect);
    if (dialect === 'sqlite') {
      await createSqliteAppendOnlyTriggers(db);
    } else {
      await createPostgresAppendOnlyTriggers(db);
    }
  },
};
