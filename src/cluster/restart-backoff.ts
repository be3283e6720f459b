// How long a cluster primary waits before forking a crashed worker again: doubling from 100 ms, at most 30 s.

export const FIRST_RESTART_MS = 100;
export const LONGEST_RESTART_MS = 30_000;

/**
 * The delay before the restart that follows `crashes` consecutive crashes of one worker slot (1 for
 * the first). Why back off: a worker that dies at once again (a full disk, a broken key file)
 * would otherwise be forked in a tight loop, flooding the log and starving the workers that serve.
 */
export function restartDelayMs(crashes: number): number {
  const doublings = Math.max(0, Math.min(crashes, 32) - 1);
  return Math.min(LONGEST_RESTART_MS, FIRST_RESTART_MS * 2 ** doublings);
}
