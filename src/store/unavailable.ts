// Tells a database that cannot answer now (down, dropped, locked, full) from a fault in the gateway's own code.

/**
 * SQLSTATE classes and codes meaning "the database cannot serve this now": 08 connection
 * exception, 53 insufficient resources, 57P01–57P03 shutdown or not yet accepting connections,
 * 3D000 the database does not exist (dropped), 40001/40P01 serialization failure or deadlock,
 * 57014 a statement cancelled (statement_timeout), 55P03 a lock not obtained in time, 25P03 a
 * session ended by idle_in_transaction_session_timeout.
 */
const POSTGRES_TRANSIENT = /^(?:08...|53...|57P0[1-3]|57014|55P03|25P03|3D000|40001|40P01)$/;
/** Socket errors of a connection that could not be made or was cut. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** better-sqlite3 codes: another process holds the lock past busy_timeout, the disk is full or failing. */
const SQLITE_TRANSIENT = /^SQLITE_(?:BUSY|LOCKED|FULL|IOERR|CANTOPEN|PROTOCOL|NOMEM)(?:_[A-Z]+)*$/;
/** node-postgres reports a lost or unobtainable connection by message, without a code. */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end on the pool',
];

/** True when `error`, or any error in its `cause` chain, says the database is unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current);) {
    seen.add(current);
    if (isUnavailableError(current)) return true;
    current = current.cause;
  }
  return false;
}

function isUnavailableError(error: Error): boolean {
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code !== undefined) {
    if (POSTGRES_TRANSIENT.test(code) || SQLITE_TRANSIENT.test(code)) return true;
    if (NETWORK_CODES.has(code)) return true;
  }
  if (
    error instanceof AggregateError &&
    error.errors.some((inner) => isDatabaseUnavailable(inner))
  ) {
    return true;
  }
  return PG_CONNECTION_MESSAGES.some((text) => error.message.startsWith(text));
}
