// Holds every role but the tables' owner to appending on the audit tables, whatever default privileges granted.
import { DEFAULT_MIGRATION_LOCK_TABLE, DEFAULT_MIGRATION_TABLE, sql } from 'kysely';
import type { Kysely } from 'kysely';
import { StoreError } from '../store-error.js';

const APPEND = ['SELECT', 'INSERT'] as const;

/**
 * What a role other than the owner may do on each audit table. The counter row that holds the
 * log's size and frontier is bumped by every append, so it alone takes UPDATE (no INSERT, no
 * DELETE: its one row exists from the first migration). The migration records are read only.
 */
export const AUDIT_TABLE_PRIVILEGES: Readonly<Record<string, readonly string[]>> = {
  audit_event: APPEND,
  audit_tree_node: APPEND,
  audit_event_ref: APPEND,
  audit_checkpoint: APPEND,
  audit_cosignature: APPEND,
  audit_sequence: ['SELECT', 'UPDATE'],
  [DEFAULT_MIGRATION_TABLE]: ['SELECT'],
  [DEFAULT_MIGRATION_LOCK_TABLE]: ['SELECT'],
};

interface Grant {
  readonly table_name: string;
  readonly grantee: string;
  readonly privilege_type: string;
}

async function excessGrants(db: Kysely<unknown>): Promise<Grant[]> {
  const { rows } = await sql<Grant>`
    SELECT c.relname AS table_name,
           CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS grantee,
           a.privilege_type
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL aclexplode(c.relacl) a
    WHERE n.nspname = current_schema()
      AND c.relname = ANY(${Object.keys(AUDIT_TABLE_PRIVILEGES)})
      AND a.grantee <> c.relowner
  `.execute(db);
  return rows.filter(
    (row) => !(AUDIT_TABLE_PRIVILEGES[row.table_name] ?? []).includes(row.privilege_type),
  );
}

/**
 * Why after every migration run: the application role gets SELECT, INSERT, UPDATE and DELETE on
 * each table the owner creates (`enlace db setup` sets those default privileges), so a migration
 * that adds an audit table would hand it UPDATE and DELETE; this takes them back, from any role.
 */
export async function restrictAuditPrivileges(db: Kysely<unknown>): Promise<void> {
  for (const grant of await excessGrants(db)) {
    // Privilege names come from the catalogue; checked all the same before they reach SQL text.
    if (!/^[A-Z ]+$/.test(grant.privilege_type)) continue;
    const grantee = grant.grantee === 'PUBLIC' ? sql.raw('PUBLIC') : sql.id(grant.grantee);
    await sql`REVOKE ${sql.raw(grant.privilege_type)} ON ${sql.table(grant.table_name)} FROM ${grantee}`.execute(
      db,
    );
  }
  const left = await excessGrants(db);
  const first = left[0];
  if (first !== undefined) {
    // A grant made by another grantor survives the owner's REVOKE; refusing beats a silent hole.
    throw new StoreError(
      'ENLACE_STORE_MIGRATION_FAILED',
      `role ${first.grantee} keeps ${first.privilege_type} on ${first.table_name}, which only the owner may hold; revoke it as the role that granted it`,
    );
  }
}
