// Assembles a running gateway: storage, keys, the app and an HTTP server with explicit limits; closes them in order.
import { createServer, type Server, type ServerOptions } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { startCheckpointer, type IntegrityVerdict } from './audit/ledger/index.js';
import { createApp } from './app.js';
import type { Config } from './config/index.js';
import { loadCapabilities, type Capabilities } from './capabilities.js';
import { sealLegacyConsents, startEmergencySweeper } from './consent/index.js';
import { createHttpSend, deliverySettingsFrom, startDeliveryWorker } from './referrals/index.js';
import { findEncryptionKey } from './referrals/index.js';
import { createPackageForRecipient, sealLegacyReferralRecords } from './referrals/index.js';
import { checkGatewayKeyFiles, KEY_REFRESH_SECONDS, startKeyRefresh } from './crypto/index.js';
import { loadOpenApiDocument } from './http/openapi-document.js';
import type { Route } from './http/route.js';
import type { AppServices } from './http/services.js';
import { readPackageInfo, systemClock } from './kernel/index.js';
import { openProtection, type Protection } from './protection/index.js';
import { startObservability, type Observability } from './observability/index.js';
import { openStore, type Store } from './store/index.js';
import { prepareServerTls, readTlsFiles, startTlsRefresh } from './transport/index.js';

export interface Gateway {
  /** The base URL the server listens on (the port resolved when 0 was asked for). */
  readonly url: string;
  readonly server: Server;
  /**
   * With native TLS: reads the certificate, key and client CAs again and serves new connections
   * with them (SIGHUP); resolves whether they changed. Without TLS it resolves false.
   */
  reloadTls(): Promise<boolean>;
  /**
   * Stops accepting connections, lets in-flight requests finish within `graceMs`, then cuts the
   * rest and closes the database. Resolves once everything is closed.
   */
  shutdown(graceMs: number): Promise<void>;
}

export interface GatewayOptions {
  /** Extra routes, for tests that need a controllable request in flight. */
  readonly routes?: readonly Route[];
  /**
   * `single` (the default) serves and runs every duty of the gateway. `worker` is one of a
   * cluster's workers: it serves only, since its primary ran the start-up work and runs the duties
   * (see startGatewayDuties).
   */
  readonly role?: 'single' | 'worker';
  /** A worker's copy of the verdict of the audit log scan its primary runs. */
  readonly sharedIntegrity?: () => IntegrityVerdict;
}

/** What a cluster primary runs once for the whole gateway while its workers serve. */
export interface GatewayDuties {
  /** Stops the duties (the last checkpoint is signed) and closes the database. */
  shutdown(): Promise<void>;
}

interface GatewayParts {
  readonly store: Store;
  readonly capabilities: Capabilities;
  readonly openapi: Awaited<ReturnType<typeof loadOpenApiDocument>>;
}

/** Opens the store (applying migrations) and loads keys, policy, PKI and the ledger. */
async function openParts(config: Config, logger: Logger): Promise<GatewayParts> {
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    logger,
    migrate: config.databaseMigrations,
    pool: config.databasePool,
  });
  try {
    const [capabilities, openapi] = await Promise.all([
      loadCapabilities(config, store, systemClock),
      loadOpenApiDocument(),
    ]);
    return { store, capabilities, openapi };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** The start-up work done once per gateway, before the first request. */
async function prepare({ store, capabilities }: GatewayParts, config: Config, logger: Logger) {
  const { pki, vault, ledger } = capabilities;
  reportIntegrity(ledger.integrity(), logger);
  // Before the first request: Tasks, receipts and consents an earlier version kept in the clear
  // are sealed, so every read can insist on a sealed record.
  const sealed =
    (await sealLegacyReferralRecords(store, vault)) + (await sealLegacyConsents(store, vault));
  if (sealed > 0) logger.info({ sealed }, 'sealed records written in the clear');
  // Which CAs admit partners is the first thing an operator checks after changing certs/.
  logger.info(
    {
      certsDir: config.certsDir ?? null,
      anchors: pki.anchors.map(({ source, subject, fingerprint256 }) => ({
        source,
        subject,
        fingerprint256,
      })),
    },
    'trust anchors loaded',
  );
}

/**
 * Why every process refreshes: each holds its own copy of the keys, and a rotation written by
 * `enlace keys rotate` (publish ahead, switch, retire) must reach all of them. It only reads files.
 */
function refreshKeys({ capabilities }: GatewayParts, logger: Logger): () => void {
  return startKeyRefresh(capabilities.keys, KEY_REFRESH_SECONDS * 1000, (err: unknown) => {
    logger.error({ err }, 'gateway key files could not be re-read; the keys in force stay');
  });
}

/**
 * The background work that runs in one process per gateway: the break-the-glass sweeper, the
 * delivery worker, the full scan of the audit log and the checkpointer. Each is also safe beside
 * another gateway instance on the same database (leases, idempotent writes, checkpoints keyed by
 * size); one per gateway avoids pushing, scanning and signing the same thing N times.
 */
function startDuties(
  { store, capabilities }: GatewayParts,
  config: Config,
  logger: Logger,
  onScanned: (verdict: IntegrityVerdict) => void,
): () => Promise<void> {
  const { consent, keys, vault, ledger } = capabilities;
  // Ends expired break-the-glass grants (the STOP audit record) on every instance; idempotent.
  const stopSweeper = startEmergencySweeper({
    store,
    clock: systemClock,
    intervalMs: config.emergencySweepSeconds * 1000,
    logger,
  });
  // Pushes the outbox to partners' rest-hook endpoints; consent is re-checked at every attempt.
  const stopDelivery = startDeliveryWorker({
    store,
    clock: systemClock,
    logger,
    send: createHttpSend({ timeoutMs: config.deliveryTimeoutMs }),
    packageForRecipient: createPackageForRecipient({
      vault,
      signingKey: keys.signing,
      gate: { ...consent, dialect: store.dialect, clock: systemClock },
    }),
    encryptionKeys: findEncryptionKey,
    vault,
    signingKey: keys.signing,
    publicUrl: config.publicUrl,
    settings: deliverySettingsFrom(config),
  });
  // Hashes every stored entry again while the gateway serves; a fault turns readiness to 503.
  void ledger.scan().then(
    (verdict) => {
      reportIntegrity(verdict, logger);
      onScanned(verdict);
    },
    (err: unknown) => {
      logger.error({ err }, 'audit log scan could not run');
    },
  );
  const stopCheckpointer = startCheckpointer({
    ledger,
    store,
    entries: config.checkpointEntries,
    seconds: config.checkpointSeconds,
    logger,
  });
  return async () => {
    await stopSweeper();
    await stopDelivery();
    await stopCheckpointer();
  };
}

/**
 * A cluster primary's part: migrations, the start-up integrity check and sealing, then the duties.
 * Run before any worker is forked, so the workers find the schema, keys and log ready.
 */
export async function startGatewayDuties(
  config: Config,
  logger: Logger,
  onScanned: (verdict: IntegrityVerdict) => void,
): Promise<GatewayDuties> {
  const parts = await openParts(config, logger);
  try {
    // Why here too: the primary serves nothing, but TLS files that cannot serve must stop the
    // start before any worker is forked, not make every worker fail in turn.
    if (config.tls !== undefined) await readTlsFiles(config.tls, systemClock());
    await prepare(parts, config, logger);
  } catch (err) {
    await parts.store.close();
    throw err;
  }
  // The primary counts its duties (deliveries) for the workers that answer /metrics to sum.
  const observability = await startObservability({
    config,
    store: parts.store,
    logger,
    role: 'primary',
  });
  const stopKeyRefresh = refreshKeys(parts, logger);
  const stopDuties = startDuties(parts, config, logger, onScanned);
  return {
    shutdown: async () => {
      stopKeyRefresh();
      await stopDuties();
      await parts.store.close();
      await observability.stop();
    },
  };
}

export async function startGateway(
  config: Config,
  logger: Logger,
  options: GatewayOptions = {},
): Promise<Gateway> {
  const parts = await openParts(config, logger);
  const { store, capabilities, openapi } = parts;
  const worker = options.role === 'worker';
  let draining = false;
  let protection: Protection | undefined;
  let observability: Observability | undefined;
  try {
    if (!worker) await prepare(parts, config, logger);
    observability = await startObservability({
      config,
      store,
      logger,
      role: worker ? 'worker' : 'single',
    });
    const { scrape } = observability;
    const { policy, pki, people, tokens, authorize, consent, keys, vault, profiles, ledger } =
      capabilities;
    // Rate-limit counters shared by every instance (database or Redis) and the load monitor.
    const guard = openProtection({ config, store, clock: systemClock, logger });
    protection = guard;
    const services: AppServices = {
      config,
      logger,
      store,
      software: readPackageInfo(),
      clock: systemClock,
      policy,
      pki,
      people,
      tokens,
      consent,
      keys,
      vault,
      profiles,
      ledger,
      startedAt: new Date(),
      openapi,
      isDraining: () => draining,
      authorize,
      protection: guard,
      ...(scrape === undefined ? {} : { scrapeMetrics: scrape }),
      readiness: async () => {
        const database = await store.checkReady();
        const integrity = worseOf(ledger.integrity(), options.sharedIntegrity?.());
        const checks = {
          ...database.checks,
          keys: await checkGatewayKeyFiles(config.dataDir),
          'audit-log': integrity.ok ? { ok: true } : { ok: false, detail: integrity.reason },
        };
        return { ok: Object.values(checks).every((check) => check.ok), checks };
      },
    };
    const httpOptions: ServerOptions = {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      keepAliveTimeout: config.keepAliveTimeoutMs,
      maxHeaderSize: config.maxHeaderSize,
      // Why: Node enforces both timeouts only when it sweeps connections, every 30 s by default;
      // a slow-headers client would then hold its socket long past the configured limit.
      connectionsCheckingInterval: checkingIntervalMs(config),
    };
    const app = createApp(services, options.routes === undefined ? {} : { routes: options.routes });
    const tls =
      config.tls === undefined ? undefined : await prepareServerTls(config.tls, pki, systemClock);
    // In a cluster each worker holds its own TLS context on the socket its primary shares.
    const tlsServer =
      tls === undefined ? undefined : createTlsServer({ ...httpOptions, ...tls.options }, app);
    const server: Server = tlsServer ?? createServer(httpOptions, app);
    if (tlsServer !== undefined && tls !== undefined) {
      // A plain-HTTP request or an old protocol version ends here, the socket closed unanswered.
      tlsServer.on('tlsClientError', (err: Error) => {
        logger.debug({ err: { message: err.message } }, 'TLS handshake refused');
      });
      logger.info(
        {
          minVersion: config.tls?.minVersion,
          clientAuth: config.tls?.clientAuth,
          certificate: tls.certificate,
        },
        'serving native TLS',
      );
    }
    // Past the limit Node destroys the new socket at once: a closed connection, never a hang.
    // In a cluster the limit is per worker.
    server.maxConnections = config.maxConnections;
    await listen(server, config.host, config.port);
    const stopDuties = worker
      ? () => Promise.resolve()
      : startDuties(parts, config, logger, () => undefined);
    const stopKeyRefresh = refreshKeys(parts, logger);
    const reloadTls = async (): Promise<boolean> => {
      if (tls === undefined || tlsServer === undefined) return false;
      const changed = await tls.reload(tlsServer);
      if (changed) logger.info('TLS certificate and client CAs reloaded');
      return changed;
    };
    // Renewed certificates (cert-manager, certbot) and `enlace pki init` reach new connections.
    const stopTlsRefresh =
      tls === undefined
        ? () => undefined
        : startTlsRefresh(reloadTls, (result) => {
            if (result instanceof Error) {
              logger.error(
                { err: result },
                'TLS files could not be reloaded; the ones in force stay',
              );
            }
          });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return {
      url: `${tls === undefined ? 'http' : 'https'}://${host}:${address.port}`,
      server,
      reloadTls,
      shutdown: async (graceMs) => {
        draining = true;
        stopTlsRefresh();
        await closeServer(server, graceMs, logger);
        stopKeyRefresh();
        await authorize.flush();
        await guard.close();
        await stopDuties();
        await store.close();
        await observability?.stop();
      },
    };
  } catch (err) {
    await protection?.close();
    await observability?.stop();
    await store.close();
    throw err;
  }
}

/** A failure wins; a worker's own start-up check and its primary's scan both count. */
function worseOf(own: IntegrityVerdict, shared: IntegrityVerdict | undefined): IntegrityVerdict {
  return own.ok && shared !== undefined ? shared : own;
}

/** A sweep at least every second, so a timeout is enforced within one second of its value. */
function checkingIntervalMs(config: Config): number {
  const shortest = Math.min(config.headersTimeoutMs, config.requestTimeoutMs);
  return Math.max(100, Math.min(1000, Math.floor(shortest / 10)));
}

function reportIntegrity(verdict: IntegrityVerdict, logger: Logger): void {
  if (!verdict.ok) {
    logger.error(
      { reason: verdict.reason },
      `audit log integrity check failed: ${verdict.reason}; readiness stays 503 until an operator restores the log`,
    );
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function closeServer(server: Server, graceMs: number, logger: Logger): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => {
      resolve('expired');
    }, graceMs);
  });
  const outcome = await Promise.race([closed.then(() => 'closed' as const), expired]);
  clearTimeout(timer);
  if (outcome === 'expired') {
    logger.warn({ graceMs }, 'grace period over; closing remaining connections');
    server.closeAllConnections();
    await closed;
  }
}
