// A cluster primary's workers: forked to share the listening socket, restarted with backoff, drained on stop.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { restartDelayMs } from './restart-backoff.js';
import type { WorkerMessage } from './worker-messages.js';

export interface SupervisorOptions {
  readonly count: number;
  readonly logger: Logger;
  /** Workers in a row that exit before listening, after which the primary gives up. */
  readonly startFailureLimit?: number;
  /** A worker that served this long had recovered: its slot's crash count starts again. */
  readonly stableMs?: number;
  /** Sent to each worker once it listens, so a restarted one learns what the others know. */
  readonly greeting?: () => WorkerMessage | undefined;
  /** The scheme of the announced URL: https when the workers serve native TLS. */
  readonly scheme?: 'http' | 'https';
}

export interface Supervisor {
  /** The base URL, once every first worker listens. */
  readonly ready: Promise<string>;
  /** Settles when workers keep failing to start (before or after `ready`); never rejects. */
  readonly failed: Promise<Error>;
  broadcast(message: WorkerMessage): void;
  /**
   * SIGTERM to every worker (each drains as a single process does), then waits for all to exit,
   * killing any left after `killAfterMs`. True when every worker exited 0.
   */
  stop(killAfterMs: number): Promise<boolean>;
}

interface Slot {
  readonly index: number;
  worker?: Worker | undefined;
  listeningAt?: number | undefined;
  crashes: number;
  restart?: NodeJS.Timeout | undefined;
}

const DEFAULT_START_FAILURE_LIMIT = 3;
const DEFAULT_STABLE_MS = 30_000;

export function superviseWorkers(options: SupervisorOptions): Supervisor {
  const { logger } = options;
  const limit = options.startFailureLimit ?? DEFAULT_START_FAILURE_LIMIT;
  const stableMs = options.stableMs ?? DEFAULT_STABLE_MS;
  const slots: Slot[] = Array.from({ length: options.count }, (_, index) => ({
    index,
    crashes: 0,
  }));
  let startFailures = 0;
  let stopping = false;
  let url: string | undefined;
  let cleanExits = true;
  let resolveReady: (url: string) => void = () => undefined;
  let resolveFailed: (error: Error) => void = () => undefined;
  const ready = new Promise<string>((resolve) => (resolveReady = resolve));
  const failed = new Promise<Error>((resolve) => (resolveFailed = resolve));
  const exits = new Map<Worker, Promise<void>>();

  const fork = (slot: Slot): void => {
    slot.restart = undefined;
    slot.listeningAt = undefined;
    const worker = cluster.fork();
    slot.worker = worker;
    exits.set(
      worker,
      new Promise((resolve) => {
        worker.once('exit', (code, signal) => {
          exits.delete(worker);
          onExit(slot, worker, code, signal);
          resolve();
        });
      }),
    );
    worker.once('listening', (address) => {
      slot.listeningAt = Date.now();
      startFailures = 0;
      const greeting = options.greeting?.();
      if (greeting !== undefined) worker.send(greeting);
      logger.info({ worker: worker.id, workerPid: worker.process.pid }, 'worker listening');
      if (url === undefined) {
        const host = address.addressType === 6 ? `[${address.address}]` : address.address;
        url = `${options.scheme ?? 'http'}://${host}:${address.port}`;
      }
      if (slots.every((candidate) => candidate.listeningAt !== undefined)) resolveReady(url);
    });
  };

  const onExit = (slot: Slot, worker: Worker, code: number, signal: string | null): void => {
    if (slot.worker === worker) slot.worker = undefined;
    if (stopping) {
      // A worker still starting has no signal handler yet; SIGTERM ends it, which is no fault.
      if (code !== 0 && slot.listeningAt !== undefined) cleanExits = false;
      return;
    }
    const served = slot.listeningAt === undefined ? undefined : Date.now() - slot.listeningAt;
    if (served === undefined) startFailures += 1;
    // Why reset after a stable run: a crash a day apart is not a crash loop and deserves no wait.
    if (served !== undefined && served >= stableMs) slot.crashes = 0;
    slot.crashes += 1;
    const fields = { worker: worker.id, workerPid: worker.process.pid, code, signal };
    if (startFailures >= limit) {
      logger.fatal(
        { ...fields, startFailures },
        `${startFailures} workers in a row exited before listening; giving up`,
      );
      resolveFailed(
        new Error(
          `${startFailures} workers in a row exited before listening (last exit code ${code})`,
        ),
      );
      return;
    }
    const delayMs = restartDelayMs(slot.crashes);
    logger.error(
      { ...fields, listened: served !== undefined, crashes: slot.crashes, restartInMs: delayMs },
      'worker exited; restarting it',
    );
    slot.restart = setTimeout(() => {
      if (!stopping) fork(slot);
    }, delayMs);
  };

  for (const slot of slots) fork(slot);

  return {
    ready,
    failed,
    broadcast(message) {
      for (const slot of slots) {
        if (slot.worker?.isConnected() === true && slot.listeningAt !== undefined) {
          slot.worker.send(message);
        }
      }
    },
    async stop(killAfterMs) {
      stopping = true;
      for (const slot of slots) clearTimeout(slot.restart);
      const running = [...exits.keys()];
      for (const worker of running) worker.process.kill('SIGTERM');
      const timer = setTimeout(() => {
        for (const worker of running) {
          if (worker.process.exitCode === null && worker.process.signalCode === null) {
            logger.warn(
              { worker: worker.id, workerPid: worker.process.pid },
              'worker still running; killing it',
            );
            worker.process.kill('SIGKILL');
          }
        }
      }, killAfterMs);
      await Promise.all(exits.values());
      clearTimeout(timer);
      return cleanExits;
    },
  };
}
