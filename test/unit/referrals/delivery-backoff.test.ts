// Exponential backoff with full jitter: bounds, growth and the cap, with a fixed random source.
import assert from 'node:assert/strict';
import { backoffDelay } from '../../../src/referrals/delivery/index.js';

const settings = { baseDelayMs: 30_000, maxDelayMs: 3_600_000 };

describe('delivery backoff', () => {
  it('draws uniformly below a ceiling that doubles per failed attempt', () => {
    assert.equal(
      backoffDelay(1, settings, () => 0.5),
      15_000,
    );
    assert.equal(
      backoffDelay(2, settings, () => 0.5),
      30_000,
    );
    assert.equal(
      backoffDelay(3, settings, () => 0.5),
      60_000,
    );
    assert.equal(
      backoffDelay(3, settings, () => 0.999999),
      119_999,
    );
  });

  it('never exceeds the cap, however many attempts failed', () => {
    assert.equal(
      backoffDelay(40, settings, () => 0.999999),
      3_599_996,
    );
    assert.equal(
      backoffDelay(2000, settings, () => 0.5),
      1_800_000,
    );
  });

  it('waits at least one second even when the draw is zero', () => {
    assert.equal(
      backoffDelay(1, settings, () => 0),
      1000,
    );
  });
});
