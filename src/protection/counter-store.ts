// The port every rate-limit counter backend implements: one atomic hit per request, and pruning of old windows.
import type { WindowCount } from './window.js';

export interface CounterStore {
  /** Where the counters live, for the log: shared ones (database, Redis) or this process's memory. */
  readonly kind: 'database' | 'redis' | 'memory';
  /**
   * Counts one hit under `key` in the window starting at `windowStart` (see `advance`) and
   * returns the counter after it. Atomic across concurrent callers and instances sharing it.
   */
  hit(key: string, windowStart: number, windowMs: number): Promise<WindowCount>;
  /** Removes counters whose window started before `before`: they no longer weigh on any count. */
  prune(before: number): Promise<void>;
  close(): Promise<void>;
}
