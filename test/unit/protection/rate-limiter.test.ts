import assert from 'node:assert/strict';
import {
  createMemoryCounters,
  createRateLimiter,
  type CounterStore,
  type LimitClass,
} from '../../../src/protection/index.js';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');

/** A clock the test moves by hand. */
function manualClock(start = T0) {
  let now = start;
  return {
    clock: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Counters that always fail, as a Redis or database that is away does. */
const failingCounters: CounterStore = {
  kind: 'redis',
  hit: () => Promise.reject(new Error('connection refused')),
  prune: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

const budgets = { client: 5, anonymous: 3, credentials: 2 };

describe('the rate limiter', () => {
  it('admits up to the budget in a minute, then refuses with the wait until the next admission', async () => {
    const time = manualClock();
    const limiter = createRateLimiter({ counters: createMemoryCounters(), budgets, ...time });
    for (let i = 0; i < 3; i += 1) {
      assert.equal((await limiter.check('anonymous', '192.0.2.1'))?.allowed, true);
    }
    time.advance(30_000);
    const refused = await limiter.check('anonymous', '192.0.2.1');
    // Four hits (the refused one counts): 4 × (1 − f/60 s) + 1 ≤ 3 at f = 30 s into the next window.
    assert.deepEqual(refused, { allowed: false, budget: 3, retryAfterSeconds: 60 });
    // Another source has a budget of its own.
    assert.equal((await limiter.check('anonymous', '192.0.2.2'))?.allowed, true);
  });

  it('admits again once the sliding window has moved past the burst', async () => {
    const time = manualClock();
    const limiter = createRateLimiter({ counters: createMemoryCounters(), budgets, ...time });
    for (let i = 0; i < 2; i += 1) await limiter.check('credentials', '192.0.2.1');
    assert.equal((await limiter.check('credentials', '192.0.2.1'))?.allowed, false);
    time.advance(120_000);
    assert.equal((await limiter.check('credentials', '192.0.2.1'))?.allowed, true);
  });

  it('keeps the classes apart and does not limit a class whose budget is 0', async () => {
    const time = manualClock();
    const limiter = createRateLimiter({
      counters: createMemoryCounters(),
      budgets: { ...budgets, client: 0 },
      ...time,
    });
    for (let i = 0; i < 3; i += 1) await limiter.check('anonymous', 'x');
    assert.equal((await limiter.check('credentials', 'x'))?.allowed, true);
    assert.equal(await limiter.check('client', 'x'), undefined);
  });

  it('fails open for clients and anonymous callers when the shared counters fail, and says so once', async () => {
    const failures: [LimitClass, string][] = [];
    const limiter = createRateLimiter({
      counters: failingCounters,
      budgets,
      ...manualClock(),
      onFailure: (kind, policy) => failures.push([kind, policy]),
    });
    for (let i = 0; i < 10; i += 1) {
      assert.equal((await limiter.check('client', 'partner:a'))?.allowed, true);
      assert.equal((await limiter.check('anonymous', '192.0.2.1'))?.allowed, true);
    }
    assert.deepEqual(failures, [
      ['client', 'open'],
      ['anonymous', 'open'],
    ]);
  });

  it('keeps limiting the credential endpoints in this process when the shared counters fail', async () => {
    const failures: [LimitClass, string][] = [];
    const limiter = createRateLimiter({
      counters: failingCounters,
      budgets,
      ...manualClock(),
      onFailure: (kind, policy) => failures.push([kind, policy]),
    });
    assert.equal((await limiter.check('credentials', '192.0.2.1'))?.allowed, true);
    assert.equal((await limiter.check('credentials', '192.0.2.1'))?.allowed, true);
    assert.equal((await limiter.check('credentials', '192.0.2.1'))?.allowed, false);
    assert.deepEqual(failures, [['credentials', 'local']]);
  });

  it('treats counters that do not answer in time as failed', async () => {
    const hanging: CounterStore = { ...failingCounters, hit: () => new Promise(() => undefined) };
    const failures: unknown[] = [];
    const limiter = createRateLimiter({
      counters: hanging,
      budgets,
      ...manualClock(),
      timeoutMs: 20,
      onFailure: (_kind, _policy, error) => failures.push(error),
    });
    assert.equal((await limiter.check('client', 'partner:a'))?.allowed, true);
    assert.match(String(failures[0]), /did not answer within 20 ms/);
  });

  it('prunes windows older than the previous one, at most once a minute', async () => {
    const pruned: number[] = [];
    const counters = createMemoryCounters();
    const time = manualClock(T0 + 5_000);
    const limiter = createRateLimiter({
      counters: { ...counters, prune: (before) => (pruned.push(before), counters.prune(before)) },
      budgets,
      ...time,
    });
    await limiter.check('client', 'a');
    await limiter.check('client', 'a');
    time.advance(60_000);
    await limiter.check('client', 'a');
    assert.deepEqual(pruned, [T0 - 60_000, T0]);
  });
});

describe('the in-memory counters', () => {
  it('share one counter among new keys once full, so a flood cannot evict the limited', async () => {
    const counters = createMemoryCounters(2);
    await counters.hit('a', T0, 60_000);
    await counters.hit('b', T0, 60_000);
    assert.equal((await counters.hit('c', T0, 60_000)).hits, 1);
    assert.equal((await counters.hit('d', T0, 60_000)).hits, 2);
    assert.equal((await counters.hit('a', T0, 60_000)).hits, 2);
  });
});
