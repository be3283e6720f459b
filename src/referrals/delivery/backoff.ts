// When to try again: exponential backoff with full jitter, so failed pushes do not retry in lockstep.

/** A source of uniform numbers in [0, 1); injected so tests are deterministic. */
export type RandomSource = () => number;

const MIN_DELAY_MS = 1000;

/** The delay before the next attempt, after `attempts` failed ones (1 for the first failure). */
export function backoffDelay(
  attempts: number,
  settings: { readonly baseDelayMs: number; readonly maxDelayMs: number },
  random: RandomSource,
): number {
  const ceiling = Math.min(
    settings.maxDelayMs,
    settings.baseDelayMs * 2 ** Math.max(0, attempts - 1),
  );
  return Math.max(MIN_DELAY_MS, Math.floor(random() * ceiling));
}
