// Storage ports: what capabilities may ask of a database, independent of the engine behind it.
import type { AuditEvent } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/** One appended audit record as stored: the event plus the position the trail gave it. */
export interface AuditRecord {
  /** Position in the trail, 1-based, strictly increasing, without gaps within one database. */
  readonly seq: number;
  readonly event: AuditEvent;
}

export interface AuditQuery {
  readonly afterSeq?: number;
  readonly limit?: number;
}

/** Append-only trail of FHIR AuditEvents. There is deliberately no update or delete. */
export interface AuditTrail {
  /** Appends the event; `event.id` must be set by the caller (a UUID). Returns its position. */
  append(event: AuditEvent): Promise<AuditRecord>;
  list(query?: AuditQuery): Promise<AuditRecord[]>;
  count(): Promise<number>;
}

/** A key-value store whose entries expire; used for replay caches shared by every instance. */
export interface ExpiringStore {
  /**
   * Stores the value unless a live (unexpired at `now`) entry exists under the key.
   * Returns true when this call stored it. Atomic across concurrent callers and instances.
   */
  putIfAbsent(key: string, value: string, expiresAt: Date, now: Date): Promise<boolean>;
  /** The live value under the key at `now`, or undefined. */
  get(key: string, now: Date): Promise<string | undefined>;
  /** Removes entries that expired before `now`; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}

/** The writes available inside one transaction. Capabilities add repositories over `db`. */
export interface UnitOfWork {
  readonly audit: AuditTrail;
  readonly kv: ExpiringStore;
  /** The transaction's query builder, for capability repositories. */
  readonly db: Kysely<Database>;
}

export interface ReadinessReport {
  readonly ok: boolean;
  /** Named checks, each with a human-readable detail when it fails. */
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly detail?: string }>>;
}

/** A connection pool's state: clients open, of which idle, and queries waiting for a client. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export interface Store {
  readonly dialect: Dialect;
  /**
   * Runs `work` in one transaction: every write through the unit commits together or not at all.
   * Inside `work` use only `unit`: the store's own members run outside the transaction (and on
   * SQLite, which has one connection, they wait for it to end, so awaiting them there deadlocks).
   * On PostgreSQL an audit append holds the trail's sequence row until commit, so append late.
   */
  transaction<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T>;
  /** Reads and single writes outside an explicit transaction (each its own transaction). */
  readonly audit: AuditTrail;
  readonly kv: ExpiringStore;
  readonly db: Kysely<Database>;
  /** Database writable and durability settings as required (see each adapter). */
  checkReady(): Promise<ReadinessReport>;
  /** PostgreSQL's pool counts (for metrics and load shedding); undefined on SQLite, which has one connection. */
  poolStats(): PoolStats | undefined;
  close(): Promise<void>;
}
