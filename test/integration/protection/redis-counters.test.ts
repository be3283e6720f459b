import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import {
  createRateLimiter,
  createRedisCounters,
  openProtection,
  type CounterStore,
  type RedisCounters,
  type LimitClass,
  type Protection,
} from '../../../src/protection/index.js';
import { silentLogger } from '../../support/memory-log.js';
import { createTestServices, type TestServices } from '../../support/test-app.js';

/** Redis runs here on every machine, CI included. */
const REDIS_URL = 'redis://127.0.0.1:6379';
const MINUTE = 60_000;
const T0 = Date.parse('2025-03-01T10:00:00.000Z');

describe('rate-limit counters in Redis', () => {
  // A prefix of this run's own, removed after: nothing else in Redis is touched.
  const prefix = `enlace-test:${randomBytes(6).toString('hex')}:`;
  const admin = new Redis(REDIS_URL);
  const opened: CounterStore[] = [];
  const open = (url = REDIS_URL): RedisCounters => {
    const counters = createRedisCounters({ url, keyPrefix: prefix, commandTimeoutMs: 200 });
    opened.push(counters);
    return counters;
  };

  after(async () => {
    for (const counters of opened) await counters.close();
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  it('counts concurrent hits from two connections atomically', async () => {
    const [a, b] = [open(), open()];
    await Promise.all([a.ready(), b.ready()]);
    const hits = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).hit('k1', T0, MINUTE)),
    );
    assert.deepEqual(
      hits.map((count) => count.hits).sort((x, y) => x - y),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    const next = await a.hit('k1', T0 + MINUTE, MINUTE);
    assert.deepEqual(next, { windowStart: T0 + MINUTE, hits: 1, previousHits: 40 });
  });

  it('lets each key expire two windows after its last hit', async () => {
    const counters = open();
    await counters.ready();
    await counters.hit('k2', T0, MINUTE);
    const ttl = await admin.pttl(`${prefix}k2`);
    assert.ok(ttl > MINUTE && ttl <= 2 * MINUTE, `ttl ${ttl}`);
  });

  it('shares one budget between two limiters', async () => {
    const clock = () => new Date(T0);
    const budgets = { client: 3, anonymous: 3, credentials: 3 };
    const [a, b] = [open(), open()];
    await Promise.all([a.ready(), b.ready()]);
    const one = createRateLimiter({ counters: a, budgets, clock });
    const two = createRateLimiter({ counters: b, budgets, clock });
    assert.equal((await one.check('client', 'partner:x'))?.allowed, true);
    assert.equal((await two.check('client', 'partner:x'))?.allowed, true);
    assert.equal((await one.check('client', 'partner:x'))?.allowed, true);
    assert.equal((await two.check('client', 'partner:x'))?.allowed, false);
  });

  it('never fails a request when Redis is away: clients pass, credentials are counted locally', async () => {
    const failures: [LimitClass, string][] = [];
    const limiter = createRateLimiter({
      // Nothing listens on port 1: the connection is refused at once, as for a Redis that is down.
      counters: open('redis://127.0.0.1:1'),
      budgets: { client: 1, anonymous: 1, credentials: 1 },
      clock: () => new Date(T0),
      onFailure: (kind, policy) => failures.push([kind, policy]),
    });
    const started = Date.now();
    for (let i = 0; i < 3; i += 1) {
      assert.equal((await limiter.check('client', 'partner:y'))?.allowed, true);
    }
    assert.equal((await limiter.check('credentials', '192.0.2.9'))?.allowed, true);
    assert.equal((await limiter.check('credentials', '192.0.2.9'))?.allowed, false);
    assert.ok(Date.now() - started < 2000, 'no request waited on the absent Redis');
    assert.deepEqual(failures, [
      ['client', 'open'],
      ['credentials', 'local'],
    ]);
  });

  describe('configured with ENLACE_REDIS_URL', () => {
    let test: TestServices;
    const protections: Protection[] = [];

    before(async () => {
      test = await createTestServices({
        env: { ENLACE_REDIS_URL: REDIS_URL, ENLACE_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '2' },
      });
    });
    after(async () => {
      for (const protection of protections) await protection.close();
      await test.dispose();
    });

    it('limits two instances by one budget', async () => {
      const apps = [0, 1].map(() => {
        const protection = openProtection({
          config: test.services.config,
          store: test.store,
          clock: test.services.clock,
          logger: silentLogger(),
          probe: () => ({ eventLoopDelayMs: 0, databaseWaiting: 0 }),
          redisKeyPrefix: prefix,
        });
        protections.push(protection);
        return createApp({ ...test.services, protection });
      });
      const [a, b] = apps as [ReturnType<typeof createApp>, ReturnType<typeof createApp>];
      // The first command may meet a connection still opening: wait until Redis answers.
      await admin.ping();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await request(a).get('/fhir/metadata').expect(200);
      await request(b).get('/fhir/metadata').expect(200);
      const refused = await request(a).get('/fhir/metadata').expect(429);
      assert.ok(Number(refused.headers['retry-after']) >= 1);
      const keys = await admin.keys(`${prefix}anonymous:*`);
      assert.equal(keys.length, 1, 'the counter lives in Redis under the prefix');
    });
  });
});
