import assert from 'node:assert/strict';
import { systemClock } from '../../../src/kernel/clock.js';

describe('systemClock', () => {
  it('returns the current time', () => {
    const before = Date.now();
    const now = systemClock().getTime();
    assert.ok(now >= before && now <= Date.now());
  });
});
