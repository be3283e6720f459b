// A bounded in-memory cache of paths that passed the time-independent checks; never of revocation.
import { createHash } from 'node:crypto';
import type { CertificationPath } from './build-path.js';

export interface ChainCache {
  keyOf(x5c: readonly string[]): string;
  get(key: string): CertificationPath | undefined;
  set(key: string, path: CertificationPath): void;
}

/** Least-recently-used eviction over a Map (which iterates in insertion order). */
export function createChainCache(capacity: number): ChainCache {
  const entries = new Map<string, CertificationPath>();
  return {
    // Hashing the entries keeps keys small; the separator cannot occur in base64.
    keyOf: (x5c) => createHash('sha256').update(x5c.join(',')).digest('base64'),
    get(key) {
      const path = entries.get(key);
      if (path !== undefined) {
        entries.delete(key);
        entries.set(key, path);
      }
      return path;
    },
    set(key, path) {
      entries.delete(key);
      entries.set(key, path);
      if (entries.size > capacity) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
    },
  };
}
