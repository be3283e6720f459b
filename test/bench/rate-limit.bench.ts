// What the rate limiter costs a cheap route: GET /fhir/metadata with no limiter, and with each place its counters can live.
// Run: npx tsx test/bench/rate-limit.bench.ts (ENLACE_TEST_ENGINE=postgres ENLACE_TEST_DATABASE_URL=… for PostgreSQL).
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { createApp } from '../../src/app.js';
import {
  createRedisCounters,
  createSqlCounters,
  openProtection,
  type CounterStore,
  type Protection,
} from '../../src/protection/index.js';
import type { CounterTables } from '../../src/protection/sql-counters.js';
import { silentLogger } from '../support/memory-log.js';
import { createTestServices, listenLocal } from '../support/test-app.js';
import { runLoad } from './http-load.js';

const TOTAL = Number(process.env['BENCH_REQUESTS'] ?? 20_000);
const CONNECTIONS = 16;

const test = await createTestServices({
  // Every request is counted (one upsert each) and none is refused.
  env: { ENLACE_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000' },
  clock: () => new Date(),
});
const { services, store } = test;

async function measure(name: string, counters: CounterStore | 'none' | 'default') {
  const protection: Protection | undefined =
    counters === 'none'
      ? undefined
      : openProtection({
          config: services.config,
          store,
          clock: () => new Date(),
          logger: silentLogger(),
          // Shedding apart: this measures the counters alone.
          probe: () => ({ eventLoopDelayMs: 0, databaseWaiting: 0 }),
          ...(counters === 'default' ? {} : { counters }),
        });
  const server = await listenLocal(
    createApp(protection === undefined ? services : { ...services, protection }),
  );
  try {
    const request = () => ({ method: 'GET' as const, path: '/fhir/metadata', headers: {} });
    await runLoad(server.url, 2000, CONNECTIONS, request, { expect: 200 });
    const result = await runLoad(server.url, TOTAL, CONNECTIONS, request, { expect: 200 });
    process.stdout.write(
      `${name.padEnd(58)} ${result.throughput.toFixed(0).padStart(6)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  errors ${result.errors}\n`,
    );
  } finally {
    await server.close();
    await protection?.close();
  }
}

process.stdout.write(
  `${store.dialect}: ${TOTAL} × GET /fhir/metadata over ${CONNECTIONS} connections\n`,
);
await measure('no limiter', 'none');
await measure(
  store.dialect === 'sqlite'
    ? 'limiter, counters in their own file (synchronous=NORMAL)'
    : 'limiter, counters in the UNLOGGED table',
  'default',
);
if (store.dialect === 'sqlite') {
  // The alternative not taken: the same upsert in the database itself, synchronous=FULL.
  await sql`create table if not exists rate_limit_counter (key text primary key, window_start integer not null, hits integer not null, previous_hits integer not null)`.execute(
    store.db,
  );
  await measure(
    'limiter, counters in the database file (synchronous=FULL)',
    createSqlCounters(store.db as unknown as Kysely<CounterTables>),
  );
}
const redis = createRedisCounters({
  url: 'redis://127.0.0.1:6379',
  keyPrefix: `enlace-bench:${randomBytes(4).toString('hex')}:`,
});
await redis.ready();
await measure('limiter, counters in Redis', redis);
await test.dispose();
