// Rate-limit counters in this process's memory: the fallback of the credential endpoints when the shared counters fail.
import type { CounterStore } from './counter-store.js';
import { advance, type WindowCount } from './window.js';

/** Keys held at once; past it, new keys share one counter, so memory stays bounded under a flood. */
const MAX_KEYS = 10_000;
const OVERFLOW = 'overflow';

export function createMemoryCounters(maxKeys = MAX_KEYS): CounterStore {
  const counters = new Map<string, WindowCount>();
  const prune = (before: number) => {
    for (const [key, count] of counters) if (count.windowStart < before) counters.delete(key);
  };
  return {
    kind: 'memory',
    hit(key, windowStart, windowMs) {
      if (!counters.has(key) && counters.size >= maxKeys) prune(windowStart - windowMs);
      // Why share one counter rather than refuse: a flood of new sources must not evict the
      // counters of the sources already being limited, and sharing only makes limiting stricter.
      const slot = counters.has(key) || counters.size < maxKeys ? key : OVERFLOW;
      const next = advance(counters.get(slot), windowStart, windowMs);
      counters.set(slot, next);
      return Promise.resolve(next);
    },
    prune(before) {
      prune(before);
      return Promise.resolve();
    },
    close() {
      counters.clear();
      return Promise.resolve();
    },
  };
}
