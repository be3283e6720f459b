// Signs checkpoints as the log grows: after N new entries or T seconds, whichever comes first, and at shutdown.
import type { Logger } from 'pino';
import type { Ledger } from './open-ledger.js';
import { readLogHead } from './ledger-reads.js';
import type { Store } from '../../store/index.js';

export interface CheckpointerOptions {
  readonly ledger: Ledger;
  readonly store: Pick<Store, 'db'>;
  readonly entries: number;
  readonly seconds: number;
  readonly logger: Logger;
}

/** Polls the log head (one small read) at most every second; returns the stop function. */
export function startCheckpointer(options: CheckpointerOptions): () => Promise<void> {
  const { ledger, logger } = options;
  let signedSize = -1;
  let signedAt = Date.now();
  let running: Promise<void> = Promise.resolve();
  const sign = async (force: boolean): Promise<void> => {
    try {
      const { size } = await readLogHead(options.store.db);
      if (signedSize < 0) signedSize = size; // The first pass learns where the log stands.
      const grown = size - signedSize;
      const due =
        grown >= options.entries || (grown > 0 && Date.now() - signedAt >= options.seconds * 1000);
      if (!force && !due) return;
      const checkpoint = await ledger.checkpoint();
      signedSize = checkpoint?.size ?? size;
      signedAt = Date.now();
      if (checkpoint !== undefined)
        logger.debug({ size: checkpoint.size }, 'audit checkpoint signed');
    } catch (err) {
      logger.error({ err }, 'audit checkpoint failed');
    }
  };
  const timer = setInterval(
    () => {
      running = running.then(() => sign(false));
    },
    Math.min(1000, options.seconds * 1000),
  );
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
    // Why at shutdown: the entries of this process's last seconds are covered before it exits.
    await sign(true);
  };
}
