// Benchmark of two audit-log designs on PostgreSQL under concurrent appenders (not part of npm test).
// Run: npx tsx test/bench/audit-sequencer.bench.ts --database-url postgres://… [--seconds 3] [--rounds 3]
// Prints, per cell, the run of median throughput among the rounds.
//
// "counter": today's design (src/store/shared/audit-trail.ts, the real code): each business
// transaction bumps the counter row that holds the log's size and frontier, so it holds that
// row's lock from its append until it commits. "sequencer": a prototype in this file: the business
// transaction inserts its entry into a pending table (no leaf index), and after commit a short
// step of its own, one at a time (an advisory lock), gives every pending entry the next leaf
// indexes, writes the tree nodes and the frontier, and deletes them from the pending table. The
// request runs that step after its commit and waits for the lock ("sequencer"), runs it only if
// the lock is free ("sequencer-try"), or leaves it to a background sweep ("sequencer-sweep");
// the sweep runs in the last two, so nothing stays unsequenced.
// Each business transaction also writes one row and does WORK_MS of other work (pg_sleep), with
// the audit append before that work ("early": the lock spans the transaction) or after it ("late").
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { toLedgerEntry } from '../../src/audit/ledger-entry.js';
import { nodeReader, readLogHead } from '../../src/audit/ledger/index.js';
import { appendLeaf, compactRangeRoot, equalHashes, rootAt } from '../../src/audit/merkle/index.js';
import { migrateStore, type Database, type Store } from '../../src/store/index.js';
import { createStore } from '../../src/store/shared/create-store.js';
import { decodeFrontier, encodeFrontier } from '../../src/store/shared/frontier.js';
import { createTypeOverrides } from '../../src/store/postgres/int8-types.js';
import { createPostgresDatabase } from '../support/test-database.js';
import { ledgerEvent } from './ledger.bench.js';

const WORK_MS = 5;
const CONCURRENCY = [1, 4, 16] as const;
const SEQUENCE_BATCH = 1000;
const SWEEP_IDLE_MS = 5;
const DESIGNS = ['counter', 'sequencer', 'sequencer-try', 'sequencer-sweep'] as const;

type Design = 'counter' | 'sequencer' | 'sequencer-try' | 'sequencer-sweep';
type Placement = 'early' | 'late';

interface Outcome {
  readonly design: Design;
  readonly placement: Placement;
  readonly concurrency: number;
  readonly transactions: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Insert to leaf index, p50 and p99 (sequencer designs). */
  readonly waitP50Ms?: number;
  readonly waitP99Ms?: number;
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** The other work of a business transaction: one row written and WORK_MS spent in the database. */
async function businessWork(db: Kysely<Database>): Promise<void> {
  await db
    .insertInto('kv_entry')
    .values({ key: `bench:${randomUUID()}`, value: '1', expires_at: Date.now() + 60_000 })
    .execute();
  await sql`SELECT pg_sleep(${WORK_MS / 1000})`.execute(db);
}

async function counterTransaction(store: Store, placement: Placement): Promise<void> {
  await store.transaction(async (unit) => {
    if (placement === 'early') await unit.audit.append(ledgerEvent());
    await businessWork(unit.db);
    if (placement === 'late') await unit.audit.append(ledgerEvent());
  });
}

async function insertPending(db: Kysely<Database>): Promise<void> {
  await sql`INSERT INTO bench_audit_pending (resource) VALUES (${toLedgerEntry(ledgerEvent()).canonical})`.execute(
    db,
  );
}

/** Milliseconds each entry waited from its insert to its leaf index (sequencer designs). */
const waits: number[] = [];

/**
 * The sequencer step: one at a time, in a short transaction of its own. Why an advisory lock and
 * not SELECT … FOR UPDATE on the counter row: a row lock gives even an empty step a transaction
 * id and a WAL flush at commit, so steps queued behind a busy one would each pay an fsync to find
 * nothing left; behind the advisory lock they read, find their entries sequenced, and end. With
 * `tryOnly`, it gives up at once when another step holds the lock (that one, or the sweep, will
 * sequence what this caller committed).
 */
export async function sequencePending(db: Kysely<Database>, tryOnly = false): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { rows } = tryOnly
      ? await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(4242) AS locked`.execute(
          trx,
        )
      : await sql<{
          locked: boolean;
        }>`SELECT pg_advisory_xact_lock(4242) IS NOT NULL AS locked`.execute(trx);
    if (rows[0]?.locked !== true) return 0;
    const head = await trx
      .selectFrom('audit_sequence')
      .select(['last_seq', 'frontier'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    const pending = (
      await sql<{
        id: number;
        resource: string;
        /** numeric: the driver gives it as text. */
        waited: string;
      }>`SELECT id, resource, extract(epoch FROM clock_timestamp() - inserted_at) * 1000 AS waited
          FROM bench_audit_pending ORDER BY id LIMIT ${SEQUENCE_BATCH}`.execute(trx)
    ).rows;
    if (pending.length === 0) return 0;
    let range = decodeFrontier(head.last_seq, head.frontier);
    let seq = head.last_seq;
    const events = [];
    const nodes = [];
    for (const row of pending) {
      waits.push(Number(row.waited));
      seq += 1;
      const entry = toLedgerEntry(JSON.parse(row.resource) as Parameters<typeof toLedgerEntry>[0]);
      const appended = appendLeaf(range, entry.leafHash);
      range = appended.range;
      events.push({
        seq,
        id: randomUUID(),
        recorded: new Date().toISOString(),
        type_code: null,
        subtype_code: null,
        action: null,
        outcome: null,
        agent_who: null,
        entity_what: null,
        resource: entry.canonical,
      });
      nodes.push(
        ...appended.completed.map(({ level, index, hash }) => ({ level, idx: index, hash })),
      );
    }
    await trx.insertInto('audit_event').values(events).execute();
    await trx.insertInto('audit_tree_node').values(nodes).execute();
    await sql`DELETE FROM bench_audit_pending WHERE id = ANY(${pending.map((row) => row.id)})`.execute(
      trx,
    );
    await trx
      .updateTable('audit_sequence')
      .set({ last_seq: seq, frontier: encodeFrontier(range) })
      .where('id', '=', 1)
      .execute();
    return pending.length;
  });
}

async function pendingTransaction(store: Store, placement: Placement): Promise<void> {
  await store.transaction(async (unit) => {
    if (placement === 'early') await insertPending(unit.db);
    await businessWork(unit.db);
    if (placement === 'late') await insertPending(unit.db);
  });
}

const transactions: Record<Design, (store: Store, placement: Placement) => Promise<void>> = {
  counter: counterTransaction,
  // Run by the same request right after its commit, waiting for the lock: its entry is in the
  // log when it answers (a step ahead of it may have sequenced it already).
  sequencer: async (store, placement) => {
    await pendingTransaction(store, placement);
    await sequencePending(store.db);
  },
  // Right after commit too, but only when no other step runs; the sweep catches what is left.
  'sequencer-try': async (store, placement) => {
    await pendingTransaction(store, placement);
    await sequencePending(store.db, true);
  },
  // Requests never sequence; the background sweep does, continuously.
  'sequencer-sweep': pendingTransaction,
};

/** The background sweep: sequences until stopped, pausing SWEEP_IDLE_MS when nothing is pending. */
function startSweep(db: Kysely<Database>): () => Promise<void> {
  const state = { stopped: false };
  const loop = (async () => {
    while (!state.stopped) {
      if ((await sequencePending(db, true)) === 0) {
        await new Promise((resolve) => setTimeout(resolve, SWEEP_IDLE_MS));
      }
    }
  })();
  return async () => {
    state.stopped = true;
    await loop;
  };
}

async function measure(
  store: Store,
  design: Design,
  placement: Placement,
  concurrency: number,
  seconds: number,
): Promise<Outcome> {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const run = transactions[design];
  waits.length = 0;
  const stopSweep = design === 'counter' ? undefined : startSweep(store.db);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const at = performance.now();
        await run(store, placement);
        latencies.push(performance.now() - at);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  if (stopSweep !== undefined) {
    while ((await sequencePending(store.db)) > 0);
    await stopSweep();
  }
  return {
    ...(design === 'counter'
      ? {}
      : { waitP50Ms: percentile(waits, 50), waitP99Ms: percentile(waits, 99) }),
    design,
    placement,
    concurrency,
    transactions: latencies.length,
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

const row = (outcome: Outcome): string =>
  [
    outcome.concurrency,
    outcome.perSecond.toFixed(0),
    outcome.p50Ms.toFixed(1),
    outcome.p99Ms.toFixed(1),
    outcome.waitP50Ms === undefined
      ? '–'
      : `${outcome.waitP50Ms.toFixed(1)} / ${(outcome.waitP99Ms ?? NaN).toFixed(1)}`,
  ].join(' | ');

/** Both designs must leave one linear log whose nodes give the frontier's root. */
async function checkLog(store: Store): Promise<number> {
  const head = await readLogHead(store.db);
  const root = await rootAt(head.size, nodeReader(store.db));
  if (!equalHashes(root, compactRangeRoot(head))) throw new Error('the log does not verify');
  const { count } = await store.db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll().as('count'))
    .executeTakeFirstOrThrow();
  if (Number(count) !== head.size) throw new Error('the log has a gap');
  return head.size;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      seconds: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const adminUrl = values['database-url'] ?? process.env['ENLACE_TEST_DATABASE_URL'];
  if (adminUrl === undefined) throw new Error('--database-url postgres://… is required');
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const database = await createPostgresDatabase(adminUrl, 'enlace_bench');
  const pool = new pg.Pool({
    connectionString: database.url,
    types: createTypeOverrides(),
    max: Math.max(...CONCURRENCY) * 2 + 2,
  });
  // Dropping the database at the end ends idle connections; that is expected here.
  pool.on('error', () => undefined);
  const store = createStore({
    dialect: 'postgres',
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    readinessChecks: [],
  });
  const outcomes: Outcome[] = [];
  try {
    await migrateStore(store);
    await sql`CREATE TABLE bench_audit_pending (id bigserial PRIMARY KEY, resource text NOT NULL, inserted_at timestamptz NOT NULL DEFAULT clock_timestamp())`.execute(
      store.db,
    );
    // Why rounds, each cell once per round, and the median: a shared machine's load drifts, and
    // measuring one design after the other would hand the drift to one of them.
    const runs = new Map<string, Outcome[]>();
    for (let round = 1; round <= rounds; round += 1) {
      for (const placement of ['early', 'late'] as const) {
        for (const concurrency of CONCURRENCY) {
          for (const design of DESIGNS) {
            const outcome = await measure(store, design, placement, concurrency, seconds);
            const key = `${design} ${placement} ${concurrency}`;
            runs.set(key, [...(runs.get(key) ?? []), outcome]);
            process.stderr.write(
              `round ${round}: ${design} ${placement} ×${concurrency}: ${row(outcome)}\n`,
            );
          }
        }
      }
    }
    for (const design of DESIGNS) {
      for (const placement of ['early', 'late'] as const) {
        for (const concurrency of CONCURRENCY) {
          const cell = [...(runs.get(`${design} ${placement} ${concurrency}`) ?? [])];
          cell.sort((x, y) => x.perSecond - y.perSecond);
          const median = cell[Math.floor(cell.length / 2)];
          if (median !== undefined) outcomes.push(median);
        }
      }
    }
    while ((await sequencePending(store.db)) > 0);
    const size = await checkLog(store);
    process.stdout.write(
      '| design | audit append | concurrent | transactions/s | p50 ms | p99 ms | entry unsequenced p50 / p99 ms |\n| --- | --- | --: | --: | --: | --: | --: |\n',
    );
    for (const outcome of outcomes) {
      process.stdout.write(`| ${outcome.design} | ${outcome.placement} | ${row(outcome)} |\n`);
    }
    process.stdout.write(`\nlog of ${size} entries verified (one linear log, no gap)\n`);
  } finally {
    await store.close();
    await database.drop();
  }
}

await main();
