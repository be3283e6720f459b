// The SQL `enlace db setup` prints or runs: a schema owner that migrates and an application role that may only append to the audit log.
import pg from 'pg';
import { AUDIT_TABLE_PRIVILEGES } from './audit-privileges.js';
import { StoreError } from '../store-error.js';

export interface DatabaseRoles {
  /** Owns the tables: runs migrations (`enlace db migrate`), never the gateway. */
  readonly owner: string;
  /** The gateway's login: reads and writes case data, appends to the audit log. */
  readonly app: string;
}

/** Plain lower-case identifiers only, so a name needs no quoting anywhere it appears. */
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkRoles({ owner, app }: DatabaseRoles): void {
  for (const name of [owner, app]) {
    if (!ROLE_NAME.test(name) || name.startsWith('pg_')) {
      throw new StoreError(
        'ENLACE_STORE_INVALID_ARGUMENT',
        `role name "${name}" must be lower-case letters, digits and _, at most 63, not starting with pg_`,
      );
    }
  }
  if (owner === app) {
    throw new StoreError(
      'ENLACE_STORE_INVALID_ARGUMENT',
      'the owner and the application role must differ: the point is that the gateway does not own the audit tables',
    );
  }
}

const createRole = (name: string): string =>
  `DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${name}') THEN
    CREATE ROLE ${name} LOGIN;
  END IF;
END $$`;

/**
 * The statements, in order, run by a superuser (or the database owner) connected to the gateway's
 * database. Re-running them changes nothing. Passwords are not set here: `\password <role>` in psql
 * keeps them out of shell history and of this output.
 */
export function databaseSetupStatements(roles: DatabaseRoles): string[] {
  checkRoles(roles);
  const { owner, app } = roles;
  return [
    createRole(owner),
    createRole(app),
    // Why explicit: neither may create roles or databases, replicate or bypass row security.
    `ALTER ROLE ${owner} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`,
    `ALTER ROLE ${app} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`,
    `DO $$ BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO ${owner}, ${app}', current_database());
END $$`,
    // Why revoke from PUBLIC: before PostgreSQL 15 every role may create tables in public, and
    // the application role must not shadow or add tables.
    'REVOKE CREATE ON SCHEMA public FROM PUBLIC',
    `GRANT USAGE, CREATE ON SCHEMA public TO ${owner}`,
    `GRANT USAGE ON SCHEMA public TO ${app}`,
    // Tables the owner creates later (each migration) reach the application role with these;
    // `enlace db migrate` then takes UPDATE and DELETE on the audit tables back (see below).
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app}`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${app}`,
    // Tables that exist already (setup run after a first migration by the owner).
    `DO $$ DECLARE t record; BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = '${owner}' LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO ${app}', t.tablename);
  END LOOP;
END $$`,
    ...Object.entries(AUDIT_TABLE_PRIVILEGES).map(
      ([table, allowed]) =>
        `DO $$ BEGIN
  IF to_regclass('public.${table}') IS NOT NULL THEN
    REVOKE ALL ON ${table} FROM ${app};
    GRANT ${allowed.join(', ')} ON ${table} TO ${app};
  END IF;
END $$`,
    ),
  ];
}

/** The statements as a script an operator can read and pipe into psql. */
export function databaseSetupScript(roles: DatabaseRoles): string {
  const { owner, app } = roles;
  const head = [
    `-- Enlace: roles for the gateway's database. Run as a superuser connected to that database:`,
    `--   enlace db setup --print | psql -v ON_ERROR_STOP=1 'postgres://admin@host/enlace'`,
    `-- ${owner} owns the tables and runs migrations:  ENLACE_DATABASE_URL=postgres://${owner}@host/enlace enlace db migrate`,
    `-- ${app} runs the gateway, with ENLACE_DATABASE_URL=postgres://${app}@host/enlace and ENLACE_DATABASE_MIGRATIONS=check.`,
    `-- On the audit tables ${app} may only SELECT and INSERT (the log counter: SELECT and UPDATE);`,
    `-- every migration leaves it so. Set passwords afterwards in psql: \\password ${owner} and \\password ${app}.`,
    '',
  ];
  return `${head.join('\n')}${databaseSetupStatements(roles)
    .map((statement) => `${statement};\n`)
    .join('\n')}`;
}

/** Runs the setup statements through a superuser's connection to the gateway's database. */
export async function applyDatabaseSetup(adminUrl: string, roles: DatabaseRoles): Promise<void> {
  const statements = databaseSetupStatements(roles);
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'enlace-db-setup' });
  await client.connect();
  try {
    // One transaction: a refusal halfway (not a superuser) leaves no half-made role behind.
    await client.query('BEGIN');
    for (const statement of statements) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
