// Rate-limit counters in Redis (ENLACE_REDIS_URL): one Lua script per hit, expiring by itself.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { CounterStore } from './counter-store.js';
import type { WindowCount } from './window.js';

/** `advance` in Lua: atomic in Redis, so instances sharing it never lose a hit. */
const HIT_SCRIPT = `
local stored = redis.call('HMGET', KEYS[1], 'w', 'h', 'p')
local window = tonumber(ARGV[1])
local length = tonumber(ARGV[2])
local w = tonumber(stored[1])
local h = tonumber(stored[2]) or 0
local p = tonumber(stored[3]) or 0
if w == nil then w = window; h = 1; p = 0
elseif w >= window then h = h + 1
elseif w == window - length then p = h; h = 1; w = window
else p = 0; h = 1; w = window end
redis.call('HSET', KEYS[1], 'w', w, 'h', h, 'p', p)
redis.call('PEXPIRE', KEYS[1], length * 2)
return {w, h, p}
`;
const HIT_SHA = createHash('sha1').update(HIT_SCRIPT).digest('hex');

export interface RedisCounterOptions {
  readonly url: string;
  /** Prefix of every key, so several gateways (or test runs) can share one Redis. */
  readonly keyPrefix?: string;
  /** A command not answered by then fails, and the limiter applies its failure policy. */
  readonly commandTimeoutMs?: number;
  /** Told of connection errors; the client reconnects by itself. */
  readonly onError?: (error: Error) => void;
}

export interface RedisCounters extends CounterStore {
  /** Resolves once connected; until then hits fail fast and the failure policy applies. */
  ready(): Promise<void>;
}

export function createRedisCounters(options: RedisCounterOptions): RedisCounters {
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix ?? 'enlace:rate-limit:',
    // Why fail fast rather than queue: a request must never wait on a Redis that is away; the
    // limiter's failure policy decides what such a request gets.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 250,
  });
  // Why a listener: without one, each reconnect failure is printed as an unhandled error event.
  redis.on('error', (error: Error) => options.onError?.(error));
  const run = async (key: string, windowStart: number, windowMs: number): Promise<unknown> => {
    try {
      return await redis.evalsha(HIT_SHA, 1, key, windowStart, windowMs);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(HIT_SCRIPT, 1, key, windowStart, windowMs);
    }
  };
  return {
    kind: 'redis',
    ready: () =>
      redis.status === 'ready'
        ? Promise.resolve()
        : new Promise((resolve) => {
            redis.once('ready', () => {
              resolve();
            });
          }),
    async hit(key, windowStart, windowMs) {
      return toCount(await run(key, windowStart, windowMs));
    },
    // Keys expire two windows after their last hit; Redis prunes them.
    prune: () => Promise.resolve(),
    async close() {
      await redis.quit().catch(() => {
        redis.disconnect();
      });
    },
  };
}

function toCount(reply: unknown): WindowCount {
  if (!Array.isArray(reply) || reply.length !== 3) {
    throw new Error('the counter script answered an unexpected reply');
  }
  const [windowStart, hits, previousHits] = reply.map(Number);
  return { windowStart: windowStart ?? 0, hits: hits ?? 0, previousHits: previousHits ?? 0 };
}
