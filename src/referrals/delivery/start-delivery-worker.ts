// Runs delivery passes on a timer until stopped; one pass at a time per instance, errors logged, never thrown.
import type { DeliveryDeps } from './delivery-deps.js';
import { sealLegacyDeliveryPayloads } from './delivery-payload.js';
import { runDeliveryPass } from './run-delivery-pass.js';

/** Stops the timer and resolves once a pass in flight has finished. */
export type StopDeliveryWorker = () => Promise<void>;

export function startDeliveryWorker(deps: DeliveryDeps): StopDeliveryWorker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let legacySealed = false;

  /** Once per process, before the first pass: outbox payloads an earlier version left in the clear. */
  const sealLegacy = async (): Promise<void> => {
    if (legacySealed) return;
    const sealed = await sealLegacyDeliveryPayloads(deps.store, deps.vault);
    legacySealed = true;
    if (sealed > 0) deps.logger.info({ sealed }, 'sealed outbox payloads written in the clear');
  };

  const tick = (): void => {
    let full = false;
    running = sealLegacy()
      .then(() => runDeliveryPass(deps, deps.clock()))
      .then(
        (summary) => {
          full = summary.claimed >= deps.settings.batchSize;
        },
        (error: unknown) => {
          deps.logger.error({ err: error }, 'delivery pass failed');
        },
      )
      .finally(() => {
        // Why at once after a full batch: a backlog (a recipient back after an outage) drains at
        // the pace of the pushes, not one batch per poll interval.
        if (!stopped) schedule(full ? 0 : deps.settings.pollMs);
      });
  };
  const schedule = (delayMs: number): void => {
    timer = setTimeout(tick, delayMs);
    timer.unref();
  };

  schedule(deps.settings.pollMs);
  return async () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    await running;
  };
}
