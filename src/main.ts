// Process entry: configuration, logger, start, signals, graceful shutdown. The only module that exits.
import cluster from 'node:cluster';
import { pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import type { IntegrityVerdict } from './audit/ledger/index.js';
import { isIntegrityMessage, superviseWorkers, type WorkerMessage } from './cluster/index.js';
import { ConfigError, loadConfig, type Config } from './config/index.js';
import { startGateway, startGatewayDuties, type GatewayOptions } from './gateway.js';

/** How much longer than its own grace the primary waits for a draining worker before killing it. */
const WORKER_EXIT_MARGIN_MS = 5000;

export async function main(
  env: Readonly<Record<string, string | undefined>>,
  options: GatewayOptions = {},
): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`enlace: invalid configuration: ${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const { config, warnings } = loaded;
  const clustered = config.workers > 1;
  const logger = pino({
    level: config.logLevel,
    base: !clustered
      ? { service: 'enlace' }
      : cluster.isPrimary
        ? { service: 'enlace', role: 'primary', pid: process.pid }
        : { service: 'enlace', worker: cluster.worker?.id, pid: process.pid },
  });
  if (clustered && cluster.isWorker) {
    await runWorker(config, logger, options);
    return;
  }
  for (const warning of warnings) logger.warn(warning);
  if (clustered) await runPrimary(config, logger);
  else await runSingle(config, logger, options);
}

/** One process serves and runs every duty: ENLACE_WORKERS=1. */
async function runSingle(config: Config, logger: Logger, options: GatewayOptions): Promise<void> {
  const gateway = await startGateway(config, logger, options).catch(startupFailed(logger));
  announce(config, logger, gateway.url);
  onSignals(logger, config, () => gateway.shutdown(config.shutdownGraceMs));
  onHangup(logger, config, () => gateway.reloadTls());
}

/**
 * A cluster worker: serves on the socket its primary shares and drains on SIGTERM (from the
 * primary, or with the process group on Ctrl-C) as a single process does.
 */
async function runWorker(config: Config, logger: Logger, options: GatewayOptions): Promise<void> {
  let shared: IntegrityVerdict = { ok: true };
  process.on('message', (message: unknown) => {
    if (isIntegrityMessage(message)) shared = message.verdict;
  });
  const gateway = await startGateway(config, logger, {
    ...options,
    role: 'worker',
    sharedIntegrity: () => shared,
  }).catch(startupFailed(logger));
  onSignals(logger, config, () => gateway.shutdown(config.shutdownGraceMs));
  onHangup(logger, config, () => gateway.reloadTls());
}

/**
 * The primary: migrations, start-up checks and the once-per-gateway duties, then the workers.
 * It serves no request itself; SIGTERM drains every worker before the duties stop.
 */
async function runPrimary(config: Config, logger: Logger): Promise<void> {
  let fault: WorkerMessage | undefined;
  let tell: (message: WorkerMessage) => void = () => undefined;
  const duties = await startGatewayDuties(config, logger, (verdict) => {
    if (verdict.ok) return;
    // Why tell the workers: the scan runs here only, and every worker's readiness must turn 503.
    fault = { type: 'enlace:integrity', verdict };
    tell(fault);
  }).catch(startupFailed(logger));
  const supervisor = superviseWorkers({
    count: config.workers,
    logger,
    scheme: config.tls === undefined ? 'http' : 'https',
    greeting: () => fault,
  });
  tell = (message) => {
    supervisor.broadcast(message);
  };
  const killAfterMs = config.shutdownGraceMs + WORKER_EXIT_MARGIN_MS;
  const started = await Promise.race([
    supervisor.ready,
    supervisor.failed.then(async (err) => {
      await supervisor.stop(killAfterMs);
      await duties.shutdown();
      return startupFailed(logger)(err);
    }),
  ]);
  announce(config, logger, started, { workers: config.workers });
  let stopping = false;
  void supervisor.failed.then(async (err) => {
    if (stopping) return;
    stopping = true;
    await supervisor.stop(killAfterMs);
    await duties.shutdown();
    logger.fatal({ err }, 'workers keep failing to start; the gateway stops');
    logger.flush();
    process.exit(1);
  });
  // The workers hold the TLS contexts: each is told to reload its own.
  onHangup(logger, config, () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP');
    return Promise.resolve();
  });
  onSignals(logger, config, async () => {
    stopping = true;
    const clean = await supervisor.stop(killAfterMs);
    // After every worker exited: the last checkpoint then covers their last entries.
    await duties.shutdown();
    if (!clean) throw new Error('a worker did not exit cleanly');
  });
}

/**
 * SIGHUP re-reads the TLS certificate, key and client CAs (after a renewal) without a restart.
 * Installed only with native TLS: without it SIGHUP keeps its default and ends the process.
 */
function onHangup(logger: Logger, config: Config, reload: () => Promise<unknown>): void {
  if (config.tls === undefined) return;
  process.on('SIGHUP', () => {
    reload().catch((err: unknown) => {
      logger.error({ err }, 'TLS files could not be reloaded; the ones in force stay');
    });
  });
}

function startupFailed(logger: Logger): (err: unknown) => never {
  return (err) => {
    logger.fatal({ err }, 'start-up failed');
    logger.flush();
    // Storage and key errors carry an operator-readable message; repeat it as the last line.
    process.stderr.write(
      `enlace: start-up failed: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  };
}

function announce(
  config: Config,
  logger: Logger,
  url: string,
  extra: Record<string, unknown> = {},
): void {
  logger.info({ url, profile: config.profile, ...extra }, 'gateway listening');
  process.stdout.write(`Enlace is listening on ${url} (FHIR base ${url}/fhir)\n`);
}

function onSignals(logger: Logger, config: Config, shutdown: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
    shutdown().then(
      () => {
        logger.info('shutdown complete');
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  await main(process.env);
}
