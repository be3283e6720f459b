// The databases a suite runs on: the embedded SQLite file always, and a fresh PostgreSQL database when configured.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
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

/** The embedded engine: the SQLite file in the data directory. */
export const sqlite: TestEngine = {
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

/**
 * The engine of this run: `sqlite` or `postgres`. scripts/run-tests.sh runs the suites twice when
 * ENLACE_TEST_DATABASE_URL is set, once per engine; unset, the suites that take engines run on both.
 */
export const TEST_ENGINE = process.env['ENLACE_TEST_ENGINE'] ?? '';

/** The engines a suite that takes engines runs on, in this run. */
export function testEngines(): TestEngine[] {
  const adminUrl = POSTGRES_ADMIN_URL;
  const postgres: TestEngine | undefined =
    adminUrl === undefined
      ? undefined
      : { name: 'postgres', create: () => createPostgresDatabase(adminUrl) };
  switch (TEST_ENGINE) {
    case '':
      return postgres === undefined ? [sqlite] : [sqlite, postgres];
    case 'sqlite':
      return [sqlite];
    case 'postgres':
      if (postgres === undefined) {
        throw new Error('ENLACE_TEST_ENGINE=postgres needs ENLACE_TEST_DATABASE_URL');
      }
      return [postgres];
    default:
      throw new Error(`ENLACE_TEST_ENGINE must be sqlite or postgres (got ${TEST_ENGINE})`);
  }
}

/** The database the suites that run on one engine use: PostgreSQL when configured, else SQLite. */
export function createTestDatabase(): Promise<TestDatabase> {
  const engines = testEngines();
  return (engines[engines.length - 1] ?? sqlite).create();
}

/**
 * The database of a gateway a suite builds without choosing an engine: PostgreSQL in the
 * PostgreSQL run, else the SQLite file in the data directory.
 */
export function createRunDatabase(): Promise<TestDatabase> {
  return TEST_ENGINE === 'postgres' ? createTestDatabase() : sqlite.create();
}

/** Rows of a query straight from the database, as someone holding the database would read them. */
export async function selectRows<Row>(
  database: TestDatabase,
  dataDir: string,
  sql: string,
): Promise<Row[]> {
  if (database.url !== undefined) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Row[];
    } finally {
      await client.end();
    }
  }
  const file = new Sqlite(join(dataDir, 'enlace.db'), { readonly: true });
  try {
    return file.prepare(sql).all() as Row[];
  } finally {
    file.close();
  }
}
