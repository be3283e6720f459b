// The protection folder's public face: rate limits, their counters and audit, and the load monitor.
export type { CounterStore } from './counter-store.js';
export type { LoadProbe, LoadReading, LoadThresholds } from './load-monitor.js';
export { overloadOf, startLoadMonitor } from './load-monitor.js';
export { createMemoryCounters } from './memory-counters.js';
export { openProtection } from './open-protection.js';
export type { Protection, ProtectionDeps } from './open-protection.js';
export { createRateLimiter } from './rate-limiter.js';
export type { Budgets, LimitClass, LimitVerdict, RateLimiter } from './rate-limiter.js';
export { createRedisCounters } from './redis-counters.js';
export type { RedisCounters } from './redis-counters.js';
export { createSqlCounters } from './sql-counters.js';
export { counterFileOf, openSqliteCounters } from './sqlite-counter-file.js';
export type { ThrottledCall, ThrottleRecorder } from './audit-throttled.js';
export { retryAfterSeconds, slidingHits, windowStartOf, advance } from './window.js';
export type { WindowCount } from './window.js';
