// Real AppServices for createApp: a fixed configuration, a temporary SQLite store, the OpenAPI document.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { loadOpenApiDocument } from '../../src/http/openapi-document.js';
import type { AppServices } from '../../src/http/services.js';
import { readPackageInfo, type Authorizer, type Clock } from '../../src/kernel/index.js';
import type { Pki } from '../../src/pki/index.js';
import { loadCapabilities, type Capabilities } from '../../src/capabilities.js';
import { openStore, type Store } from '../../src/store/index.js';
import { assertStoredAuditEventsConform } from './audit-conformance.js';
import { silentLogger } from './memory-log.js';
import { createRunDatabase, type TestDatabase } from './test-database.js';

export const TEST_PUBLIC_URL = 'https://gateway.test.example/base';
export const TEST_STARTED_AT = new Date('2025-03-01T10:00:00.000Z');

export interface TestServicesOptions {
  /** ENLACE_* variables on top of the fixed test environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly logger?: Logger;
  readonly isDraining?: () => boolean;
  /** Defaults to a clock stopped at TEST_STARTED_AT. */
  readonly clock?: Clock;
  /** Runs on the fresh data directory before keys and PKI load (e.g. `enlace pki init`). */
  readonly prepareDataDir?: (dataDir: string) => Promise<void>;
  /** Defaults to the PKI of the temporary data directory: no network CA, no external anchors. */
  readonly pki?: Pki;
  /** Checks callers of routes that declare `access`; by default every caller is refused. */
  readonly authorize?: Authorizer;
}

/** The system routes under test declare no access, so reaching this is a test set-up mistake. */
const refuseEveryCaller: Authorizer = () =>
  Promise.reject(new Error('this test app authorizes no caller'));

export interface TestServices {
  readonly services: AppServices;
  /** The keys, PKI and people the services were built from. */
  readonly capabilities: Capabilities;
  readonly store: Store;
  readonly dataDir: string;
  /** Checks every stored AuditEvent against FHIR R4, then closes the store (once). */
  closeStore(): Promise<void>;
  /** Closes the store (checking its AuditEvents) and removes its directory. */
  dispose(): Promise<void>;
}

export async function createTestServices(options: TestServicesOptions = {}): Promise<TestServices> {
  const dataDir = await mkdtemp(join(tmpdir(), 'enlace-test-'));
  // A suite that names no database gets one of the run's engine (scripts/run-tests.sh).
  let database: TestDatabase | undefined;
  try {
    if (options.env?.['ENLACE_DATABASE_URL'] === undefined) database = await createRunDatabase();
    const { config } = loadConfig({
      ENLACE_DATA_DIR: dataDir,
      ENLACE_PUBLIC_URL: TEST_PUBLIC_URL,
      ENLACE_LOG_LEVEL: 'silent',
      // Not the checkout's ./certs: anchors a developer put there must not change what tests trust.
      ENLACE_CERTS_DIR: join(dataDir, 'certs'),
      ...database?.env,
      ...options.env,
    });
    const store = await openStore({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      migrate: config.databaseMigrations,
      pool: config.databasePool,
    });
    const clock = options.clock ?? (() => new Date(TEST_STARTED_AT));
    await options.prepareDataDir?.(dataDir);
    const capabilities = await loadCapabilities(config, store, clock);
    const services: AppServices = {
      config,
      logger: options.logger ?? silentLogger(),
      store,
      software: readPackageInfo(),
      clock,
      policy: capabilities.policy,
      pki: options.pki ?? capabilities.pki,
      people: capabilities.people,
      tokens: capabilities.tokens,
      consent: capabilities.consent,
      keys: capabilities.keys,
      vault: capabilities.vault,
      profiles: capabilities.profiles,
      ledger: capabilities.ledger,
      startedAt: TEST_STARTED_AT,
      openapi: await loadOpenApiDocument(),
      authorize: options.authorize ?? refuseEveryCaller,
      isDraining: options.isDraining ?? (() => false),
      readiness: () => store.checkReady(),
    };
    let closed: Promise<void> | undefined;
    const closeStore = (): Promise<void> =>
      (closed ??= (async () => {
        try {
          // Every suite built on these services checks every AuditEvent it made the gateway write.
          await assertStoredAuditEventsConform(store);
        } finally {
          await store.close();
        }
      })());
    return {
      services,
      capabilities,
      store,
      dataDir,
      closeStore,
      dispose: async () => {
        try {
          await closeStore();
        } finally {
          await database?.drop();
          await rm(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

export interface LocalServer {
  /** http://127.0.0.1:<port>, for supertest or node:http. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the app on 127.0.0.1 only (supertest's own listen would bind every interface). */
export async function listenLocal(app: Express): Promise<LocalServer> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => {
          if (err === undefined) resolve();
          else reject(err);
        });
      }),
  };
}
