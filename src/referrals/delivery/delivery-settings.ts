// How the delivery worker behaves: which hosts it may call, how long it retries, how it paces itself.
import type { Config } from '../../config/index.js';
import { parseAllowedHosts, type AllowedHosts } from './allowed-hosts.js';

export interface DeliverySettings {
  readonly allowedHosts: AllowedHosts;
  /** Plain http to 127.0.0.1, localhost and [::1] (the development profile only). */
  readonly allowLoopbackHttp: boolean;
  /** Retries stop this long after the delivery was queued; then it is dead-lettered. */
  readonly horizonMs: number;
  /** Backoff: the first retry waits up to `baseDelayMs`, doubling per attempt up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** How long a claimed row stays reserved for the instance pushing it; must exceed one attempt. */
  readonly leaseMs: number;
  /** Rows claimed per pass. */
  readonly batchSize: number;
  readonly timeoutMs: number;
  readonly pollMs: number;
}

export const DEFAULT_BASE_DELAY_MS = 30_000;
export const DEFAULT_MAX_DELAY_MS = 3_600_000;
export const DEFAULT_BATCH_SIZE = 10;

/** The worker's settings from the gateway configuration. */
export function deliverySettingsFrom(config: Config): DeliverySettings {
  return {
    allowedHosts: parseAllowedHosts(config.deliveryAllowedHosts),
    allowLoopbackHttp: config.profile === 'development',
    horizonMs: config.deliveryHorizonHours * 3_600_000,
    baseDelayMs: DEFAULT_BASE_DELAY_MS,
    maxDelayMs: DEFAULT_MAX_DELAY_MS,
    // Why: an attempt is bounded by the timeout plus packaging; a lease shorter than that would
    // let a second instance claim a row that is still being pushed (configuration refuses one
    // that does not exceed the timeout).
    leaseMs: config.deliveryLeaseMs,
    batchSize: DEFAULT_BATCH_SIZE,
    timeoutMs: config.deliveryTimeoutMs,
    pollMs: config.deliveryPollSeconds * 1000,
  };
}
