// Decides whether a caller is within its budget: shared counters, a sliding window, and a failure policy per class of caller.
import type { Clock } from '../kernel/index.js';
import type { CounterStore } from './counter-store.js';
import { createMemoryCounters } from './memory-counters.js';
import { retryAfterSeconds, slidingHits, windowStartOf, type WindowCount } from './window.js';

/**
 * Who is counted: an authenticated caller by its client id or person; an unauthenticated one by
 * its source address; and the credential endpoints (token, sign-in) by source address, apart.
 */
export type LimitClass = 'client' | 'anonymous' | 'credentials';

/** Requests per minute each class may make; 0 turns the class's limit off. */
export type Budgets = Readonly<Record<LimitClass, number>>;

export interface LimitVerdict {
  readonly allowed: boolean;
  readonly budget: number;
  /** When the next request would be admitted, for `Retry-After`. */
  readonly retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts one request of `identity` in its class; undefined when the class is not limited. */
  check(kind: LimitClass, identity: string): Promise<LimitVerdict | undefined>;
  close(): Promise<void>;
}

/** What a request gets when the shared counters cannot answer. */
type FailurePolicy = 'open' | 'local';

/**
 * Why per class:
 * - `credentials` counts in this process's memory: the token and sign-in endpoints are where
 *   keys and passwords are guessed, so they are never left unbounded (each instance then allows
 *   its own budget); refusing them outright instead would lock every partner out of tokens, and
 *   every operator out of the console, for as long as Redis or the database is away.
 * - `client` and `anonymous` fail open: an authenticated institution's referral must not be
 *   refused because a counter could not be read, and the load shedder still guards the instance.
 */
const FAILURE_POLICY: Readonly<Record<LimitClass, FailurePolicy>> = {
  client: 'open',
  anonymous: 'open',
  credentials: 'local',
};

const WINDOW_MS = 60_000;
/** A shared counter not answered by then counts as failed: a request never waits long on it. */
const DEFAULT_TIMEOUT_MS = 250;
/** At most one warning per class in this interval, however many requests meet the failure. */
const WARN_EVERY_MS = 10_000;
/** Identities are addresses and client ids; anything longer is cut, so keys stay small. */
const MAX_IDENTITY_CHARS = 256;

export interface RateLimiterOptions {
  readonly counters: CounterStore;
  readonly budgets: Budgets;
  readonly clock: Clock;
  /** Told when the shared counters fail (at most once per class every 10 s) and what was done. */
  readonly onFailure?: (kind: LimitClass, policy: FailurePolicy, error: unknown) => void;
  /** Told when pruning old windows fails. */
  readonly onPruneFailure?: (error: unknown) => void;
  readonly windowMs?: number;
  readonly timeoutMs?: number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { counters, budgets, clock } = options;
  const windowMs = options.windowMs ?? WINDOW_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const local = createMemoryCounters();
  const warnedAt = new Map<LimitClass, number>();
  let prunedAt = 0;

  const prune = (nowMs: number, windowStart: number) => {
    if (nowMs - prunedAt < windowMs) return;
    prunedAt = nowMs;
    // A counter older than the previous window weighs nothing; one statement per instance and
    // minute keeps the table to the callers of the last two minutes.
    const before = windowStart - windowMs;
    void counters.prune(before).catch((error: unknown) => options.onPruneFailure?.(error));
    void local.prune(before);
  };

  const failed = (kind: LimitClass, error: unknown, nowMs: number) => {
    const policy = FAILURE_POLICY[kind];
    const last = warnedAt.get(kind);
    if (last === undefined || nowMs - last >= WARN_EVERY_MS) {
      warnedAt.set(kind, nowMs);
      options.onFailure?.(kind, policy, error);
    }
    return policy;
  };

  return {
    async check(kind, identity) {
      const budget = budgets[kind];
      if (budget <= 0) return undefined;
      const nowMs = clock().getTime();
      const windowStart = windowStartOf(nowMs, windowMs);
      const key = `${kind}:${identity.slice(0, MAX_IDENTITY_CHARS)}`;
      let count: WindowCount;
      try {
        count = await withTimeout(counters.hit(key, windowStart, windowMs), timeoutMs);
        prune(nowMs, windowStart);
      } catch (error) {
        if (failed(kind, error, nowMs) === 'open') {
          return { allowed: true, budget, retryAfterSeconds: 0 };
        }
        count = await local.hit(key, windowStart, windowMs);
      }
      // Why the refused request counts too: a client that ignores Retry-After keeps itself
      // refused, at most two windows after it stops.
      const allowed = slidingHits(count, nowMs, windowMs) <= budget;
      return {
        allowed,
        budget,
        retryAfterSeconds: allowed ? 0 : retryAfterSeconds(count, nowMs, windowMs, budget),
      };
    },
    async close() {
      await counters.close();
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`the rate-limit counters did not answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => {
    clearTimeout(timer);
  });
}
