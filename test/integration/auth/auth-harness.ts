// A gateway with machine authentication wired for tests: real store, keys, policy and routes; a settable clock.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditEvent } from '@medplum/fhirtypes';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type KeyObject,
} from 'jose';
import { createApp } from '../../../src/app.js';
import {
  createAuthorizer,
  createTokenService,
  TOKEN_PATH,
  type CertificateChainValidator,
  type PersonTokenVerifier,
  type TokenService,
} from '../../../src/auth/index.js';
import { loadOrCreateGatewayKeys, type GatewayKeyring } from '../../../src/crypto/index.js';
import type { Route } from '../../../src/http/route.js';
import { systemClock, type Clock } from '../../../src/kernel/index.js';
import type { PartnerRole, PartnerStatus, SigningAlgorithm } from '../../../src/partners/index.js';
import {
  insertClient,
  insertPartner,
  updatePartnerStatus,
} from '../../../src/partners/partner-repository.js';
import type { Store } from '../../../src/store/index.js';
import { createTestServices, TEST_STARTED_AT, type TestServices } from '../../support/test-app.js';

export const PROTECTED_PATH = '/test/protected';
export const CONSENT_DELETE_PATH = '/test/consent-delete';
export const PERSON_PATH = '/test/person';

/** Police may read and search Tasks, and may not delete Consents (policy/network-policy.json). */
const standInRoutes: Route[] = [
  {
    method: 'GET',
    path: PROTECTED_PATH,
    operationId: 'testProtected',
    produces: ['application/json'],
    access: { kind: 'partner', scope: 'system/Task.rs' },
    handler: (ctx) => ({ body: ctx.principal }),
  },
  {
    method: 'GET',
    path: CONSENT_DELETE_PATH,
    operationId: 'testConsentDelete',
    produces: ['application/json'],
    access: { kind: 'partner', scope: 'system/Consent.d' },
    handler: (ctx) => ({ body: ctx.principal }),
  },
  {
    method: 'GET',
    path: PERSON_PATH,
    operationId: 'testPerson',
    produces: ['application/json'],
    access: { kind: 'person', roles: ['auditor'] },
    handler: (ctx) => ({ body: ctx.principal }),
  },
];

export interface TestClient {
  readonly clientId: string;
  readonly partnerId: string;
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface ClientOptions {
  readonly role?: PartnerRole;
  readonly status?: PartnerStatus;
  readonly alg?: SigningAlgorithm;
  readonly allowedAlgorithms?: readonly SigningAlgorithm[];
  /** Register the key as a JWKS (default) or only bind certificate fingerprints. */
  readonly withJwks?: boolean;
  readonly certificateFingerprints?: readonly string[];
  /** Reuse an existing partner instead of creating one. */
  readonly partnerId?: string;
}

export interface HarnessOptions {
  /** `system` for clients that take time from the real clock (openid-client). */
  readonly time?: 'fixed' | 'system';
  readonly validateCertificateChain?: CertificateChainValidator;
  readonly verifyPersonToken?: PersonTokenVerifier;
}

export interface AuthHarness {
  /** http://127.0.0.1:<port>: also the gateway's public URL, so URLs in tokens are real. */
  readonly url: string;
  readonly tokenEndpoint: string;
  readonly store: Store;
  /** Follows `clock`; `keys.refresh()` applies a rotation written to `dataDir`. */
  readonly keys: GatewayKeyring;
  readonly tokens: TokenService;
  readonly dataDir: string;
  readonly clock: Clock;
  now(): Date;
  /** Moves the fixed clock; ignored with system time. */
  advance(seconds: number): void;
  /** Hooks the validator in later (the PKI needs the store this harness opens). */
  setChainValidator(validator: CertificateChainValidator): void;
  registerClient(partnerId: string, options?: ClientOptions): Promise<TestClient>;
  setStatus(partnerId: string, status: PartnerStatus): Promise<void>;
  auditCount(): Promise<number>;
  auditSince(count: number): Promise<AuditEvent[]>;
  dispose(): Promise<void>;
}

export async function startAuthHarness(options: HarnessOptions = {}): Promise<AuthHarness> {
  let fixed = new Date(TEST_STARTED_AT.getTime() + 60_000);
  const clock: Clock = options.time === 'system' ? systemClock : () => new Date(fixed);
  // Listen first: the public URL must be the address clients really reach.
  const server = createServer();
  await listen(server);
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let ctx: TestServices | undefined;
  try {
    ctx = await createTestServices({ env: { ENLACE_PUBLIC_URL: url }, clock });
    const { store, dataDir } = ctx;
    const keys = await loadOrCreateGatewayKeys(dataDir, clock);
    let chainValidator = options.validateCertificateChain;
    const deps = {
      store,
      keys,
      policy: ctx.services.policy,
      clock,
      publicUrl: url,
      validateCertificateChain: (x5c: readonly string[], at: Date) => {
        if (chainValidator === undefined) return Promise.reject(new Error('no PKI in this test'));
        return chainValidator(x5c, at);
      },
    };
    const tokens = createTokenService(deps);
    const authorize = createAuthorizer({
      ...deps,
      ...(options.verifyPersonToken === undefined
        ? {}
        : { verifyPersonToken: options.verifyPersonToken }),
    });
    // The app serves the auth routes of the services it is given, as the gateway does.
    const app = createApp({ ...ctx.services, authorize, tokens }, { routes: standInRoutes });
    server.on('request', app);
    const services = ctx;
    return {
      url,
      tokenEndpoint: tokens.endpoints.tokenEndpoint,
      store,
      keys,
      tokens,
      dataDir,
      clock,
      now: clock,
      advance: (seconds) => {
        fixed = new Date(fixed.getTime() + seconds * 1000);
      },
      setChainValidator: (validator) => {
        chainValidator = validator;
      },
      registerClient: (partnerId, clientOptions) =>
        registerClient(store, clock(), partnerId, clientOptions),
      setStatus: async (partnerId, status) => {
        await updatePartnerStatus(store.db, partnerId, status, clock().toISOString());
      },
      auditCount: () => store.audit.count(),
      auditSince: async (count) =>
        (await store.audit.list({ afterSeq: count })).map((record) => record.event),
      dispose: async () => {
        await close(server);
        await services.dispose();
      },
    };
  } catch (error) {
    await close(server);
    await ctx?.dispose();
    throw error;
  }
}

const KEY_OPTIONS: Partial<Record<SigningAlgorithm, { crv?: string; modulusLength?: number }>> = {
  EdDSA: { crv: 'Ed25519' },
  RS256: { modulusLength: 2048 },
  RS384: { modulusLength: 2048 },
  PS256: { modulusLength: 2048 },
};

async function registerClient(
  store: Store,
  now: Date,
  partnerId: string,
  options: ClientOptions = {},
): Promise<TestClient> {
  const alg = options.alg ?? 'ES256';
  const { privateKey, publicKey } = await generateKeyPair(alg, KEY_OPTIONS[alg] ?? {});
  const kid = `${partnerId}-${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`;
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const at = now.toISOString();
  if (options.partnerId === undefined) {
    await insertPartner(store.db, {
      id: partnerId,
      name: `Test ${partnerId}`,
      role: options.role ?? 'police',
      status: options.status ?? 'active',
      createdAt: at,
      updatedAt: at,
      version: 1,
    });
  }
  const clientId = `client-${randomUUID()}`;
  await insertClient(store.db, {
    clientId,
    partnerId: options.partnerId ?? partnerId,
    allowedAlgorithms: options.allowedAlgorithms ?? [alg],
    ...(options.withJwks === false ? {} : { jwks: { keys: [publicJwk] } }),
    certificates: (options.certificateFingerprints ?? []).map((fingerprint) => ({ fingerprint })),
    createdAt: at,
  });
  return { clientId, partnerId: options.partnerId ?? partnerId, kid, alg, privateKey, publicJwk };
}

export interface AssertionOptions {
  /** Claims to set; `undefined` removes a default claim. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Header members to set on top of alg and kid; `undefined` removes one. */
  readonly header?: Readonly<Record<string, unknown>>;
  readonly key?: CryptoKey | KeyObject | Uint8Array;
  readonly alg?: string;
}

/** A client assertion as SMART Backend Services specifies it, with any part overridable. */
export async function signAssertion(
  harness: AuthHarness,
  client: TestClient,
  options: AssertionOptions = {},
): Promise<string> {
  const now = Math.floor(harness.now().getTime() / 1000);
  const claims = withoutUndefined({
    iss: client.clientId,
    sub: client.clientId,
    aud: harness.tokenEndpoint,
    jti: randomUUID(),
    iat: now,
    exp: now + 240,
    ...options.claims,
  });
  const header = withoutUndefined({
    alg: options.alg ?? client.alg,
    kid: client.kid,
    ...options.header,
  });
  return new SignJWT(claims)
    .setProtectedHeader(header as { alg: string })
    .sign(options.key ?? client.privateKey);
}

/** An unsigned JWT with the given alg spelling: what an attacker sends, built by hand on purpose. */
export function unsignedAssertion(harness: AuthHarness, client: TestClient, alg: string): string {
  const now = Math.floor(harness.now().getTime() / 1000);
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg, kid: client.kid })}.${part({
    iss: client.clientId,
    sub: client.clientId,
    aud: harness.tokenEndpoint,
    jti: randomUUID(),
    iat: now,
    exp: now + 240,
  })}.`;
}

/** The form of a token request; override or remove (`undefined`) any parameter. */
export function tokenForm(
  assertion: string,
  overrides: Readonly<Record<string, string | undefined>> = {},
): Record<string, string> {
  return withoutUndefined({
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    scope: 'system/Task.rs system/Bundle.c',
    ...overrides,
  }) as Record<string, string>;
}

export { TOKEN_PATH };

function withoutUndefined(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => {
      resolve();
    });
  });
}
