// Watches this process's load: the event loop's delay, sampled, and the database pool's waiting queue.
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoadReading {
  /** Mean delay of the event loop over the last sample, in ms: how long a new request waits to run. */
  readonly eventLoopDelayMs: number;
  /** Queries waiting for a pooled database connection (0 where there is no pool: SQLite). */
  readonly databaseWaiting: number;
}

export type LoadProbe = () => LoadReading;

export interface LoadThresholds {
  /** Shed past this event loop delay; 0 never sheds for it. */
  readonly maxEventLoopDelayMs: number;
  /** Shed past this many queries waiting for a connection; 0 never sheds for it. */
  readonly maxDatabaseWaiting: number;
}

/** Why this instance is overloaded now, or undefined when it is not. */
export function overloadOf(reading: LoadReading, thresholds: LoadThresholds): string | undefined {
  if (
    thresholds.maxEventLoopDelayMs > 0 &&
    reading.eventLoopDelayMs > thresholds.maxEventLoopDelayMs
  ) {
    return `event loop delay ${Math.round(reading.eventLoopDelayMs)} ms over ${thresholds.maxEventLoopDelayMs} ms`;
  }
  if (
    thresholds.maxDatabaseWaiting > 0 &&
    reading.databaseWaiting > thresholds.maxDatabaseWaiting
  ) {
    return `${reading.databaseWaiting} queries waiting for a database connection, over ${thresholds.maxDatabaseWaiting}`;
  }
  return undefined;
}

export interface LoadMonitor {
  readonly read: LoadProbe;
  stop(): void;
}

const RESOLUTION_MS = 10;
const SAMPLE_MS = 500;

/**
 * Samples the event loop delay every half second (the histogram's mean, less its resolution, as
 * the timer itself adds that). The sampling timer does not keep the process alive.
 */
export function startLoadMonitor(databaseWaiting: () => number = () => 0): LoadMonitor {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let delayMs = 0;
  const timer = setInterval(() => {
    const mean = histogram.mean / 1e6;
    delayMs = Number.isFinite(mean) ? Math.max(0, mean - RESOLUTION_MS) : 0;
    histogram.reset();
  }, SAMPLE_MS);
  timer.unref();
  return {
    read: () => ({ eventLoopDelayMs: delayMs, databaseWaiting: databaseWaiting() }),
    stop: () => {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
