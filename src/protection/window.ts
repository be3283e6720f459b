// Sliding-window arithmetic of the rate limits: which window a moment falls in, how a counter moves on, the weighted count and the wait.

/** One caller's counter: hits in the window starting at `windowStart` (epoch ms) and in the one before. */
export interface WindowCount {
  readonly windowStart: number;
  readonly hits: number;
  readonly previousHits: number;
}

/** The start (epoch ms) of the fixed window holding `nowMs`. */
export const windowStartOf = (nowMs: number, windowMs: number): number =>
  Math.floor(nowMs / windowMs) * windowMs;

/**
 * The counter after one more hit in the window starting at `windowStart`. The database, Redis and
 * memory counters all apply exactly this rule (in SQL, Lua and here).
 *
 * Why `>=` keeps the stored window: an instance whose clock runs a little behind must count into
 * the window the others already opened, never reset it.
 */
export function advance(
  stored: WindowCount | undefined,
  windowStart: number,
  windowMs: number,
): WindowCount {
  if (stored === undefined) return { windowStart, hits: 1, previousHits: 0 };
  if (stored.windowStart >= windowStart) return { ...stored, hits: stored.hits + 1 };
  if (stored.windowStart === windowStart - windowMs) {
    return { windowStart, hits: 1, previousHits: stored.hits };
  }
  return { windowStart, hits: 1, previousHits: 0 };
}

/**
 * Hits over the sliding window that ends now: this window's hits plus the previous window's,
 * weighted by the share of it still inside the sliding window (the usual approximation, exact
 * when the previous window's hits were spread evenly).
 */
export function slidingHits(count: WindowCount, nowMs: number, windowMs: number): number {
  const elapsed = Math.min(Math.max(nowMs - count.windowStart, 0), windowMs);
  return count.previousHits * (1 - elapsed / windowMs) + count.hits;
}

/**
 * Whole seconds (at least 1) until one more hit would fit within `budget`, if none came meanwhile:
 * later in this window once the previous window's weight has faded enough, else in the next
 * window once this one's has.
 */
export function retryAfterSeconds(
  count: WindowCount,
  nowMs: number,
  windowMs: number,
  budget: number,
): number {
  const room = budget - count.hits - 1;
  let admitAt: number;
  if (room >= 0 && count.previousHits > room) {
    // previousHits × (1 − elapsed / windowMs) ≤ room
    admitAt = count.windowStart + windowMs * (1 - room / count.previousHits);
  } else if (room >= 0) {
    admitAt = nowMs;
  } else {
    // Next window: hits × (1 − elapsed / windowMs) + 1 ≤ budget
    const fade = count.hits > budget - 1 ? windowMs * (1 - (budget - 1) / count.hits) : 0;
    admitAt = count.windowStart + windowMs + fade;
  }
  return Math.max(1, Math.ceil((admitAt - nowMs) / 1000));
}
