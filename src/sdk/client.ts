// Connects a partner institution to a gateway: discovery, its first token, and every part of the SDK sharing one session.
import { readFile } from 'node:fs/promises';
import { discover } from './auth/discover.js';
import { requestToken } from './auth/request-token.js';
import type { SigningKey } from './auth/signing-key.js';
import { createTokenSource } from './auth/token-source.js';
import { createAuditApi, type AuditApi, type AuditOptions } from './audit/audit-api.js';
import { createConsentApi, type ConsentApi } from './consent/consent-api.js';
import { readDecryptionKey, readSigningKey } from './credentials/read-keys.js';
import { readProfile, type Profile } from './credentials/read-profile.js';
import { createNoticesApi, type NoticesApi } from './notices/notices-api.js';
import { verifyPush, type PushedDelivery, type PushRequest } from './push/verify-push.js';
import { createReferralsApi, type ReferralsApi } from './referrals/referrals-api.js';
import type { Session } from './session.js';
import { createTasksApi, type TasksApi } from './tasks/tasks-api.js';
import { createGatewayKeys } from './trust/gateway-keys.js';
import { createNetworkTrust } from './trust/network-trust.js';
import { createSenderKeys } from './trust/sender-keys.js';
import { createGatewayHttp, type GatewayApi } from './transport/gateway-http.js';
import type { DecryptionKey } from './verify/open-jwe.js';

/** What a partner system asks for by default; the gateway narrows it to what its role may hold. */
export const DEFAULT_SCOPE =
  'system/Bundle.cr system/Task.rus system/Consent.crus system/Organization.rs system/AuditEvent.rs';

export interface ConnectOptions {
  /** A profile file (see readProfile); the options below override what it says. */
  readonly profile?: string;
  /** The gateway's base URL, e.g. `https://enlace.example.org` (the FHIR base is this plus `/fhir`). */
  readonly gateway?: string;
  readonly clientId?: string;
  readonly signingKey?: SigningKey;
  /** The private half of the encryption key the institution registered; needed to open referrals. */
  readonly decryptionKey?: DecryptionKey;
  readonly scope?: string;
  /** PEM of the network CA from a channel you trust; otherwise `GET /pki/ca.pem` is believed. */
  readonly networkCa?: string;
  readonly audit?: AuditOptions;
  readonly fetch?: typeof fetch;
  readonly clock?: () => Date;
  /** Renew the access token when less than this is left (default 60). */
  readonly refreshAheadSeconds?: number;
}

export interface EnlaceClient {
  /** This institution's partner id, from its verified access token. */
  readonly organization: string;
  readonly role: string;
  readonly gateway: string;
  readonly referrals: ReferralsApi;
  readonly tasks: TasksApi;
  readonly consent: ConsentApi;
  readonly notices: NoticesApi;
  readonly audit: AuditApi;
  /** Verifies a rest-hook request the gateway pushed to this institution's endpoint. */
  verifyPush(request: PushRequest): Promise<PushedDelivery>;
  /** The typed client of every other route, with the token added (openapi-fetch). */
  readonly api: GatewayApi;
  /** A current access token, for a call the SDK does not make itself. */
  accessToken(): Promise<string>;
}

async function resolveOptions(options: ConnectOptions) {
  const profile: Partial<Profile> =
    options.profile === undefined ? {} : await readProfile(options.profile);
  const gateway = options.gateway ?? profile.gateway;
  const clientId = options.clientId ?? profile.clientId;
  const signingKey =
    options.signingKey ??
    (profile.signingKey === undefined
      ? undefined
      : await readSigningKey({
          key: profile.signingKey,
          ...(profile.certificate === undefined ? {} : { certificate: profile.certificate }),
          ...(profile.kid === undefined ? {} : { kid: profile.kid }),
          ...(profile.alg === undefined ? {} : { alg: profile.alg }),
        }));
  if (gateway === undefined || clientId === undefined || signingKey === undefined) {
    throw new TypeError('connect needs a gateway, a clientId and a signingKey (or a profile)');
  }
  const decryptionKey =
    options.decryptionKey ??
    (profile.decryptionKey === undefined
      ? undefined
      : await readDecryptionKey(profile.decryptionKey));
  const networkCa =
    options.networkCa ??
    (profile.networkCa === undefined ? undefined : await readFile(profile.networkCa, 'utf8'));
  const logKey = options.audit?.logKey ?? profile.auditLogKey;
  return {
    gateway,
    clientId,
    signingKey,
    decryptionKey,
    networkCa,
    scope: options.scope ?? profile.scope ?? DEFAULT_SCOPE,
    audit: { ...options.audit, ...(logKey === undefined ? {} : { logKey }) },
  };
}

/**
 * Discovers the token endpoint, obtains a first token (so wrong credentials fail here, as an
 * EnlaceOAuthError) and returns the client. Tokens are renewed ahead of expiry from then on.
 */
export async function connect(options: ConnectOptions): Promise<EnlaceClient> {
  const resolved = await resolveOptions(options);
  const now = options.clock ?? (() => new Date());
  const millis = () => now().getTime();
  const http = createGatewayHttp({
    baseUrl: resolved.gateway,
    fetch: options.fetch ?? globalThis.fetch,
    // Called only once connected: discovery and the token request go to public routes.
    accessToken: async () => (await tokens.current()).accessToken,
  });
  const gatewayKeys = createGatewayKeys(http, millis);
  const configuration = await discover(http);
  const tokens = createTokenSource({
    issue: () =>
      requestToken({
        http,
        configuration,
        keys: gatewayKeys,
        clientId: resolved.clientId,
        signingKey: resolved.signingKey,
        scope: resolved.scope,
        now,
      }),
    now: millis,
    ...(options.refreshAheadSeconds === undefined
      ? {}
      : { refreshAheadMs: options.refreshAheadSeconds * 1000 }),
  });
  const first = await tokens.current();
  const trust = createNetworkTrust(http, millis, resolved.networkCa);
  const session: Session = {
    http,
    tokens,
    gatewayKeys,
    senderKeys: createSenderKeys(http, trust, millis),
    trust,
    signingKey: resolved.signingKey,
    decryptionKey: resolved.decryptionKey,
    now,
    me: async () => (await tokens.current()).organization.slice('Organization/'.length),
  };
  const tasks = createTasksApi(http);
  return {
    organization: first.organization.slice('Organization/'.length),
    role: first.role,
    gateway: http.baseUrl,
    referrals: createReferralsApi(session, tasks),
    tasks,
    consent: createConsentApi(http, now, session.me),
    notices: createNoticesApi(session),
    audit: createAuditApi(session, resolved.audit),
    verifyPush: (request) => verifyPush(session, request),
    api: http.api,
    accessToken: async () => (await tokens.current()).accessToken,
  };
}
