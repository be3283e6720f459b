import assert from 'node:assert/strict';
import { overloadOf, startLoadMonitor } from '../../../src/protection/index.js';

const thresholds = { maxEventLoopDelayMs: 250, maxDatabaseWaiting: 50 };

describe('the load monitor', () => {
  it('calls the instance overloaded past either threshold, and says which', () => {
    assert.equal(overloadOf({ eventLoopDelayMs: 250, databaseWaiting: 50 }, thresholds), undefined);
    assert.equal(
      overloadOf({ eventLoopDelayMs: 251.4, databaseWaiting: 0 }, thresholds),
      'event loop delay 251 ms over 250 ms',
    );
    assert.equal(
      overloadOf({ eventLoopDelayMs: 0, databaseWaiting: 51 }, thresholds),
      '51 queries waiting for a database connection, over 50',
    );
  });

  it('never calls it overloaded for a threshold of 0', () => {
    const off = { maxEventLoopDelayMs: 0, maxDatabaseWaiting: 0 };
    assert.equal(overloadOf({ eventLoopDelayMs: 10_000, databaseWaiting: 10_000 }, off), undefined);
  });

  it('reads the pool queue it is given, and starts with no delay', () => {
    let waiting = 3;
    const monitor = startLoadMonitor(() => waiting);
    try {
      assert.deepEqual(monitor.read(), { eventLoopDelayMs: 0, databaseWaiting: 3 });
      waiting = 7;
      assert.equal(monitor.read().databaseWaiting, 7);
    } finally {
      monitor.stop();
    }
  });
});
