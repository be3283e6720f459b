import assert from 'node:assert/strict';
import {
  advance,
  retryAfterSeconds,
  slidingHits,
  windowStartOf,
  type WindowCount,
} from '../../../src/protection/index.js';

const MINUTE = 60_000;
const T0 = Date.parse('2025-03-01T10:00:00.000Z');

describe('rate-limit windows', () => {
  it('puts a moment in the fixed window that holds it', () => {
    assert.equal(windowStartOf(T0, MINUTE), T0);
    assert.equal(windowStartOf(T0 + 59_999, MINUTE), T0);
    assert.equal(windowStartOf(T0 + 60_000, MINUTE), T0 + MINUTE);
  });

  it('counts into the current window, carries it over to the next, and forgets older ones', () => {
    let count = advance(undefined, T0, MINUTE);
    assert.deepEqual(count, { windowStart: T0, hits: 1, previousHits: 0 });
    count = advance(advance(count, T0, MINUTE), T0, MINUTE);
    assert.deepEqual(count, { windowStart: T0, hits: 3, previousHits: 0 });
    count = advance(count, T0 + MINUTE, MINUTE);
    assert.deepEqual(count, { windowStart: T0 + MINUTE, hits: 1, previousHits: 3 });
    count = advance(count, T0 + 3 * MINUTE, MINUTE);
    assert.deepEqual(count, { windowStart: T0 + 3 * MINUTE, hits: 1, previousHits: 0 });
  });

  it('counts a hit from an instance whose clock is behind into the window already open', () => {
    const open: WindowCount = { windowStart: T0 + MINUTE, hits: 4, previousHits: 2 };
    assert.deepEqual(advance(open, T0, MINUTE), { ...open, hits: 5 });
  });

  it('weighs the previous window by the share of it still inside the sliding window', () => {
    const count: WindowCount = { windowStart: T0, hits: 10, previousHits: 40 };
    assert.equal(slidingHits(count, T0, MINUTE), 50);
    assert.equal(slidingHits(count, T0 + 15_000, MINUTE), 40);
    assert.equal(slidingHits(count, T0 + 45_000, MINUTE), 20);
    assert.equal(slidingHits(count, T0 + 90_000, MINUTE), 10);
  });

  it('waits for the previous window to fade when this one still has room', () => {
    // budget 20: 5 hits now, so 14 more fit once 40 × (1 − e/60 s) ≤ 14, at e = 39 s.
    const count: WindowCount = { windowStart: T0, hits: 5, previousHits: 40 };
    assert.equal(retryAfterSeconds(count, T0 + 10_000, MINUTE, 20), 29);
  });

  it('waits into the next window when this one is full', () => {
    // budget 10, 20 hits: in the next window 20 × (1 − f/60 s) + 1 ≤ 10 at f = 33 s.
    const count: WindowCount = { windowStart: T0, hits: 20, previousHits: 0 };
    assert.equal(retryAfterSeconds(count, T0 + 50_000, MINUTE, 10), 43);
    // Exactly full: 10 × (1 − f/60 s) + 1 ≤ 10 at f = 6 s into the next window.
    const full: WindowCount = { windowStart: T0, hits: 10, previousHits: 0 };
    assert.equal(retryAfterSeconds(full, T0 + 50_000, MINUTE, 10), 16);
  });

  it('never asks to wait less than a second', () => {
    const count: WindowCount = { windowStart: T0, hits: 1, previousHits: 0 };
    assert.equal(retryAfterSeconds(count, T0 + 59_900, MINUTE, 5), 1);
  });
});
