// Builds the gateway's protection from overload and abuse: rate limits on shared counters, the throttle audit, the load monitor.
import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.js';
import type { Clock } from '../kernel/index.js';
import { toDatabaseLocation, type Store } from '../store/index.js';
import { createThrottleRecorder, type ThrottleRecorder } from './audit-throttled.js';
import type { CounterStore } from './counter-store.js';
import {
  startLoadMonitor,
  type LoadMonitor,
  type LoadProbe,
  type LoadThresholds,
} from './load-monitor.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';
import { createRedisCounters } from './redis-counters.js';
import { createSqlCounters, type CounterTables } from './sql-counters.js';
import { counterFileOf, openSqliteCounters } from './sqlite-counter-file.js';

export interface Protection {
  readonly limiter: RateLimiter;
  /** Records throttled calls of authenticated callers in the audit log (sampled). */
  readonly throttled: ThrottleRecorder;
  readonly load: { readonly probe: LoadProbe; readonly thresholds: LoadThresholds };
  /** Writes the pending throttle counts, stops the monitor and closes the counters. */
  close(): Promise<void>;
}

export interface ProtectionDeps {
  readonly config: Config;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Replaces the counters chosen from configuration (tests). */
  readonly counters?: CounterStore;
  /** Replaces the event loop and pool monitor (tests force a lag with it). */
  readonly probe?: LoadProbe;
  /** Prefix of the Redis keys; tests give each run its own. */
  readonly redisKeyPrefix?: string;
}

/** One warning per interval for a failing Redis connection, which retries every few hundred ms. */
const WARN_EVERY_MS = 10_000;

/** Where the counters live: Redis when configured, else the database every instance shares. */
function openCounters({ config, store, logger, redisKeyPrefix }: ProtectionDeps): CounterStore {
  if (config.redisUrl !== undefined) {
    let warnedAt = 0;
    return createRedisCounters({
      url: config.redisUrl,
      ...(redisKeyPrefix === undefined ? {} : { keyPrefix: redisKeyPrefix }),
      onError: (error) => {
        if (Date.now() - warnedAt < WARN_EVERY_MS) return;
        warnedAt = Date.now();
        // Why only the message: a connection error may repeat the URL, and with it a password.
        logger.warn({ code: (error as { code?: unknown }).code }, 'rate-limit Redis unreachable');
      },
    });
  }
  if (store.dialect === 'postgres') {
    return createSqlCounters(
      store.db.withTables<CounterTables>() as unknown as Kysely<CounterTables>,
    );
  }
  const location = toDatabaseLocation(config.databaseUrl, config.dataDir);
  if (location.dialect !== 'sqlite') throw new Error('a SQLite store has a SQLite location');
  return openSqliteCounters(counterFileOf(location.path));
}

export function openProtection(deps: ProtectionDeps): Protection {
  const { config, store, clock, logger } = deps;
  const counters = deps.counters ?? openCounters(deps);
  const limiter = createRateLimiter({
    counters,
    clock,
    budgets: {
      client: config.rateLimitClientPerMinute,
      anonymous: config.rateLimitAnonymousPerMinute,
      credentials: config.rateLimitTokenPerMinute,
    },
    onFailure: (kind, policy, err) => {
      logger.warn(
        { kind, policy, counters: counters.kind, err },
        policy === 'open'
          ? 'rate-limit counters failed; admitting these requests unlimited'
          : 'rate-limit counters failed; counting these requests in this process only',
      );
    },
    onPruneFailure: (err) => {
      logger.warn({ err }, 'old rate-limit windows could not be pruned');
    },
  });
  const monitor: LoadMonitor | undefined =
    deps.probe === undefined ? startLoadMonitor(() => store.poolStats()?.waiting ?? 0) : undefined;
  const throttled = createThrottleRecorder({ store, clock });
  return {
    limiter,
    throttled,
    load: {
      probe: deps.probe ?? (monitor as LoadMonitor).read,
      thresholds: {
        maxEventLoopDelayMs: config.loadShedEventLoopDelayMs,
        maxDatabaseWaiting: config.loadShedDatabaseWaiting,
      },
    },
    async close() {
      monitor?.stop();
      try {
        await throttled.flush();
      } finally {
        await limiter.close();
      }
    },
  };
}
