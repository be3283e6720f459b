// The PostgreSQL adapter: a shared database behind the shared store implementation.
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { Store } from '../ports.js';
import type { Database } from '../schema.js';
import { createStore } from '../shared/create-store.js';
import { writableCheck } from '../shared/readiness.js';
import type { StoreLogger } from '../store-logger.js';
import { createTypeOverrides } from './int8-types.js';
import { postgresReadinessChecks } from './postgres-readiness.js';

/** How long to wait for a new connection before the request answers 503. */
const CONNECT_TIMEOUT_MS = 5000;

export function openPostgresStore(connectionString: string, logger: StoreLogger): Store {
  const pool = new Pool({
    connectionString,
    types: createTypeOverrides(),
    application_name: 'enlace',
    // Why: without a bound, a request waits forever for a database host that does not answer.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // Why: an idle client's error (server restart, network cut) is otherwise an unhandled 'error'
  // event that kills the process; the pool replaces the client and the next query reports it.
  pool.on('error', (error) => {
    logger.error(
      { code: 'code' in error ? error.code : undefined },
      'idle PostgreSQL connection failed',
    );
  });
  return createStore({
    dialect: 'postgres',
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    readinessChecks: [writableCheck, ...postgresReadinessChecks],
  });
}
