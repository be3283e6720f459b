// A JWK Set fetched on demand and kept a while; fetched again when a kid is missing, at most every few seconds.
import type { JWK } from 'jose';

export interface KeySetCache {
  /** The key with this `kid` that `accept` admits, fetching the set again once if it is not there. */
  find(kid: string, accept: (jwk: JWK) => boolean): Promise<JWK | undefined>;
  /** The keys of the current set. */
  keys(): Promise<readonly JWK[]>;
}

export interface KeySetCacheOptions {
  readonly load: () => Promise<readonly JWK[]>;
  readonly now: () => number;
  /** How long a fetched set is used without asking again (the gateway says max-age 300 s). */
  readonly maxAgeMs: number;
  /** The least time between two fetches caused by an unknown kid: a forged kid must not flood the gateway. */
  readonly minRefetchMs: number;
}

export function createKeySetCache(options: KeySetCacheOptions): KeySetCache {
  let loaded: { keys: readonly JWK[]; at: number } | undefined;
  let inFlight: Promise<readonly JWK[]> | undefined;
  const fetchNow = (): Promise<readonly JWK[]> => {
    inFlight ??= options
      .load()
      .then((keys) => {
        loaded = { keys, at: options.now() };
        return keys;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  const keys = (): Promise<readonly JWK[]> =>
    loaded !== undefined && options.now() - loaded.at < options.maxAgeMs
      ? Promise.resolve(loaded.keys)
      : fetchNow();
  return {
    keys,
    find: async (kid, accept) => {
      const pick = (set: readonly JWK[]) => set.find((jwk) => jwk.kid === kid && accept(jwk));
      const found = pick(await keys());
      if (found !== undefined) return found;
      // Why refetch: during a rotation a new kid appears before the cached copy expires.
      if (loaded !== undefined && options.now() - loaded.at < options.minRefetchMs)
        return undefined;
      return pick(await fetchNow());
    },
  };
}
