// Runs stopExpiredGrants on an interval in each gateway instance; the returned function stops it.
import type { Clock } from '../../kernel/index.js';
import type { Store } from '../../store/index.js';
import { stopExpiredGrants } from './stop-expired-grants.js';

export interface SweeperLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface SweeperOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly logger: SweeperLogger;
}

/**
 * Sweeps at once (grants may have expired while no instance ran), then every `intervalMs` after
 * the previous sweep ended, so sweeps never overlap within one instance. The returned function
 * cancels the next sweep and resolves once a sweep in progress has finished.
 */
export function startEmergencySweeper(options: SweeperOptions): () => Promise<void> {
  const { store, clock, intervalMs, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const sweep = async (): Promise<void> => {
    try {
      const ids = await stopExpiredGrants(store, clock());
      if (ids.length > 0) logger.info({ grants: ids.length }, 'expired emergency grants stopped');
    } catch (err) {
      // Why keep going: a database hiccup must not end the sweeps; findActiveGrant checks expiry
      // itself, so a late STOP event delays the record, never the end of the access.
      logger.error({ err }, 'emergency grant sweep failed');
    }
  };
  const schedule = (delay: number): void => {
    timer = setTimeout(() => {
      running = sweep().finally(() => {
        running = undefined;
        if (!stopped) schedule(intervalMs);
      });
    }, delay);
    timer.unref();
  };
  schedule(0);

  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
