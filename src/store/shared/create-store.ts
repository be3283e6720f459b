// Assembles a Store from an engine's kysely instance; the only per-engine inputs are its checks.
import type { Kysely } from 'kysely';
import type { Dialect, PoolStats, Store, UnitOfWork } from '../ports.js';
import type { Database } from '../schema.js';
import { createAuditTrail } from './audit-trail.js';
import { createExpiringStore } from './expiring-store.js';
import { runReadinessChecks } from './readiness.js';
import type { ReadinessCheck } from './readiness.js';

export interface StoreParts {
  readonly dialect: Dialect;
  readonly db: Kysely<Database>;
  readonly readinessChecks: readonly ReadinessCheck[];
  /** The connection pool's counts, for an engine that has one. */
  readonly poolStats?: () => PoolStats;
}

/** What a unit of work sees of the transaction `trx`. */
export const unitOf = (trx: Kysely<Database>): UnitOfWork => ({
  audit: createAuditTrail(trx),
  kv: createExpiringStore(trx),
  db: trx,
});

export function createStore({ dialect, db, readinessChecks, poolStats }: StoreParts): Store {
  let closing: Promise<void> | undefined;
  return {
    dialect,
    db,
    audit: createAuditTrail(db),
    kv: createExpiringStore(db),
    transaction: (work) => db.transaction().execute((trx) => work(unitOf(trx))),
    checkReady: () => runReadinessChecks(db, readinessChecks),
    poolStats: () => poolStats?.(),
    close: () => (closing ??= db.destroy()),
  };
}
