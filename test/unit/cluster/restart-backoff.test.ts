import assert from 'node:assert/strict';
import { restartDelayMs } from '../../../src/cluster/index.js';

describe('the restart backoff of a crashed worker', () => {
  it('waits 100 ms after a first crash and doubles with each crash in a row', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map(restartDelayMs), [100, 200, 400, 800, 1600]);
  });

  it('never waits longer than 30 s, however many crashes', () => {
    assert.equal(restartDelayMs(9), 25_600);
    assert.equal(restartDelayMs(10), 30_000);
    assert.equal(restartDelayMs(1000), 30_000);
  });

  it('treats a count below one as a first crash', () => {
    assert.equal(restartDelayMs(0), 100);
  });
});
