// kysely's SQLite dialect, adjusted so migrations are transactional and write transactions never deadlock.
import { SqliteAdapter, SqliteDialect, SqliteDriver } from 'kysely';
import type { DialectAdapter, Driver, SqliteDialectConfig } from 'kysely';

export interface EnlaceSqliteDialectConfig extends SqliteDialectConfig {
  /** Starts a write transaction (BEGIN IMMEDIATE) on the dialect's database. */
  readonly beginImmediate: () => Promise<void>;
}

/** SQLite does run DDL inside transactions; kysely's stock adapter just does not claim it. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * Starts transactions with BEGIN IMMEDIATE: the write lock is taken up front, so two processes
 * sharing a file never fail mid-transaction on a lock upgrade (see begin-immediate.ts for how
 * the wait leaves the event loop free).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #beginImmediate: () => Promise<void>;

  constructor(config: EnlaceSqliteDialectConfig) {
    super(config);
    this.#beginImmediate = config.beginImmediate;
  }

  override async beginTransaction(): Promise<void> {
    await this.#beginImmediate();
  }
}

export class EnlaceSqliteDialect extends SqliteDialect {
  readonly #config: EnlaceSqliteDialectConfig;

  constructor(config: EnlaceSqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
