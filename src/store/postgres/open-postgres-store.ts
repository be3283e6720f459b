// The PostgreSQL adapter: a shared database behind the shared store implementation, through a bounded pool.
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { Store } from '../ports.js';
import type { Database } from '../schema.js';
import { createStore } from '../shared/create-store.js';
import { writableCheck } from '../shared/readiness.js';
import type { StoreLogger } from '../store-logger.js';
import { createTypeOverrides } from './int8-types.js';
import { postgresReadinessChecks } from './postgres-readiness.js';

/** The pool's limits and the timeouts every one of its sessions runs under. */
export interface PostgresPoolSettings {
  /** Connections this process opens at most; further queries wait for one. */
  readonly max: number;
  /** How long a query waits for a connection (from the pool or a new one) before it fails. */
  readonly connectTimeoutMs: number;
  /** Server-side statement_timeout of every session. */
  readonly statementTimeoutMs: number;
  /** Server-side idle_in_transaction_session_timeout of every session. */
  readonly idleTransactionTimeoutMs: number;
}

export const DEFAULT_POOL_SETTINGS: PostgresPoolSettings = {
  max: 10,
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 15_000,
  idleTransactionTimeoutMs: 30_000,
};

export function openPostgresStore(
  connectionString: string,
  logger: StoreLogger,
  settings: PostgresPoolSettings = DEFAULT_POOL_SETTINGS,
): Store {
  const pool = new Pool({
    connectionString,
    types: createTypeOverrides(),
    application_name: 'enlace',
    max: settings.max,
    // Why: without a bound, a request waits forever for a database host that does not answer, or
    // for a pool whose every connection is taken; past it the request answers 503.
    connectionTimeoutMillis: settings.connectTimeoutMs,
    // Why server-side timeouts: a statement stuck behind a lock, or a transaction left open, holds
    // the audit log's counter row and would stall every writer of every instance.
    statement_timeout: settings.statementTimeoutMs,
    idle_in_transaction_session_timeout: settings.idleTransactionTimeoutMs,
    // Why: a peer that vanished without a reset (a cut network) is found by TCP keepalive.
    keepAlive: true,
  });
  // Why: an idle client's error (server restart, network cut) is otherwise an unhandled 'error'
  // event that kills the process; the pool replaces the client and the next query reports it.
  pool.on('error', (error) => {
    logger.error(
      { code: 'code' in error ? error.code : undefined },
      'idle PostgreSQL connection failed',
    );
  });
  // Why: pg-pool listens for errors only on idle clients. One checked out between two statements
  // of a transaction (while the gateway signs or encrypts) that loses its server (a cut network,
  // idle_in_transaction_session_timeout) would emit an unhandled 'error' and kill the process.
  // With a listener the next statement fails instead (503), and the pool drops the client.
  pool.on('connect', (client) => {
    client.on('error', (error: Error) => {
      logger.error(
        { code: 'code' in error ? error.code : undefined },
        'PostgreSQL connection in use failed',
      );
    });
  });
  return createStore({
    dialect: 'postgres',
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    readinessChecks: [writableCheck, ...postgresReadinessChecks],
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
  });
}
