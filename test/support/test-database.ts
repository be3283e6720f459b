// The databases a suite runs on: the embedded SQLite file always, and a fresh PostgreSQL database when configured.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Set (postgres://…) to run the suites that take engines on PostgreSQL as well; `.ci/run` sets it. */
export const POSTGRES_ADMIN_URL = process.env['ENLACE_TEST_DATABASE_URL'];

export interface TestDatabase {
  /** ENLACE_* variables selecting the database (none for the default SQLite file). */
  readonly env: Readonly<Record<string, string>>;
  /** postgres://… of the fresh database, when there is one. */
  readonly url?: string;
  drop(): Promise<void>;
}

export interface TestEngine {
  readonly name: 'sqlite' | 'postgres';
  /** A fresh, empty database of this engine. */
  create(): Promise<TestDatabase>;
}

const sqlite: TestEngine = {
  name: 'sqlite',
  create: () => Promise.resolve({ env: {}, drop: () => Promise.resolve() }),
};

/** A new PostgreSQL database through an admin connection; dropped (connections forced off) after. */
export async function createPostgresDatabase(
  adminUrl: string,
  prefix = 'enlace_t',
): Promise<TestDatabase> {
  // Hex only, so the name is a safe identifier without quoting.
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end();
    throw error;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { ENLACE_DATABASE_URL: url.toString() },
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** SQLite, then PostgreSQL when ENLACE_TEST_DATABASE_URL is set. */
export function testEngines(): TestEngine[] {
  const adminUrl = POSTGRES_ADMIN_URL;
  if (adminUrl === undefined) return [sqlite];
  return [sqlite, { name: 'postgres', create: () => createPostgresDatabase(adminUrl) }];
}

/** The database the suites that run on one engine use: PostgreSQL when configured, else SQLite. */
export function createTestDatabase(): Promise<TestDatabase> {
  const engines = testEngines();
  return (engines[engines.length - 1] ?? sqlite).create();
}
