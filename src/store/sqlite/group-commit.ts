// Group commit on SQLite: units of work that queue while one runs share its transaction and its one fsync.
import type { Kysely } from 'kysely';
import type { AuditTrail, ExpiringStore, Store, UnitOfWork } from '../ports.js';
import type { Database } from '../schema.js';
import { unitOf } from '../shared/create-store.js';

/** The most units one commit carries, so the first of a batch never waits on an endless queue. */
export const MAX_GROUP = 64;

interface Job {
  readonly work: (unit: UnitOfWork) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface Done {
  readonly job: Job;
  readonly value: unknown;
}

/**
 * The store with its transactions grouped. SQLite has one connection and one writer, so units of
 * work already ran one after another; here, the units that arrive while one runs join its
 * transaction instead of each paying its own commit, whose fsync (synchronous=FULL) blocks the
 * event loop. Each unit runs inside a SAVEPOINT: a unit that fails is rolled back alone, and its
 * caller is told at once; the others' callers are answered only after the COMMIT returned, so
 * nothing is acknowledged before it is durable. A failed COMMIT fails every unit of the batch.
 * Appends to the audit trail outside a transaction (the record of a read) join the same queue.
 */
export function groupCommits(store: Store, db: Kysely<Database>, maxGroup = MAX_GROUP): Store {
  const queue: Job[] = [];
  let draining = false;

  async function runBatch(): Promise<void> {
    const trx = await db.startTransaction().execute();
    const done: Done[] = [];
    let current: Job | undefined;
    try {
      for (let n = 1; n <= maxGroup; n += 1) {
        // Why yield when the queue is empty: a unit that only runs statements finishes in
        // microtasks, before any request waiting on I/O could join; one turn of the event loop
        // lets the callbacks already due (other requests reaching their own unit) queue here.
        if (queue.length === 0) await new Promise((resolve) => setImmediate(resolve));
        current = queue.shift();
        if (current === undefined) break;
        const savepoint = `unit${n}`;
        const inside = await trx.savepoint(savepoint).execute();
        let value: unknown;
        try {
          value = await current.work(unitOf(trx));
        } catch (error) {
          // Why roll back only to the savepoint: the other units of the batch did nothing wrong.
          const failed = current;
          current = undefined;
          failed.reject(error);
          await inside.rollbackToSavepoint(savepoint).execute();
          await inside.releaseSavepoint(savepoint).execute();
          continue;
        }
        await inside.releaseSavepoint(savepoint).execute();
        done.push({ job: current, value });
        current = undefined;
      }
      await trx.commit().execute();
    } catch (error) {
      // The transaction itself failed (a savepoint statement or the commit): nothing of it holds.
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      current?.reject(error);
      for (const { job } of done) job.reject(error);
      return;
    }
    for (const { job, value } of done) job.resolve(value);
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        try {
          await runBatch();
        } catch (error) {
          // BEGIN failed (the write lock did not come within its timeout): the next unit's caller
          // hears it; the rest try again with a batch of their own.
          queue.shift()?.reject(error);
        }
      }
    } finally {
      draining = false;
    }
  }

  const transaction = <T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!draining) void drain();
    });

  const audit: AuditTrail = {
    append: (event) => transaction((unit) => unit.audit.append(event)),
    list: (query) => store.audit.list(query),
    count: () => store.audit.count(),
  };
  // The replay cache's writes (one per token request) join the queue too; reads need no commit.
  const kv: ExpiringStore = {
    putIfAbsent: (...args) => transaction((unit) => unit.kv.putIfAbsent(...args)),
    get: (key, now) => store.kv.get(key, now),
    purgeExpired: (now) => transaction((unit) => unit.kv.purgeExpired(now)),
  };
  return { ...store, audit, kv, transaction };
}
