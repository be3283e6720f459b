// The composition root of the capabilities: keys, policy, PKI and people, built once from configuration.
import {
  auditRefusals,
  createAuthorizer,
  createTokenService,
  personVerifier,
  type AuditedAuthorizer,
  type TokenService,
} from './auth/index.js';
import { fileURLToPath } from 'node:url';
import { openLedger, type Ledger } from './audit/ledger/index.js';
import type { Config } from './config/index.js';
import {
  createPseudonymizer,
  decide,
  findActiveGrant,
  loadOrCreatePseudonymKeys,
  type ConsentDeps,
} from './consent/index.js';
import {
  createPayloadVault,
  loadOrCreateDataKeys,
  loadOrCreateGatewayKeys,
  loadOrCreateLocalSecret,
  type GatewayKeyring,
  type PayloadVault,
} from './crypto/index.js';
import type { Clock } from './kernel/index.js';
import { DEFAULT_POLICY_PATH, loadNetworkPolicy, type NetworkPolicy } from './partners/index.js';
import { createPeople, MIN_SECRET_BYTES, type People } from './people/index.js';
import { loadReloadingPki, type Pki } from './pki/index.js';
import { loadProfiles, type ProfileValidator } from './profiles/index.js';
import { enqueueConsentRevokedNotices } from './referrals/index.js';
import type { Store } from './store/index.js';

export interface Capabilities {
  /** The gateway's keys; `keys.refresh()` applies a rotation written since they were loaded. */
  readonly keys: GatewayKeyring;
  readonly policy: NetworkPolicy;
  readonly pki: Pki;
  readonly people: People;
  /** The token endpoint, discovery and JWKS of SMART Backend Services. */
  readonly tokens: TokenService;
  /** Checks the caller of every protected route; refusals are audited (anonymous ones sampled). */
  readonly authorize: AuditedAuthorizer;
  /** Survivor pseudonyms, the decision engine, and the break-the-glass lookup it falls back on. */
  readonly consent: ConsentDeps;
  /** Payload encryption at rest: a data key per record, wrapped by the configured key-encryption key. */
  readonly vault: PayloadVault;
  /** The FHIR profiles in profiles/, compiled once. */
  readonly profiles: ProfileValidator;
  /** The audit log's key, integrity verdict and checkpoints. */
  readonly ledger: Ledger;
}

/** The FHIR package shipped with the gateway (two levels up from src/ and dist/ alike). */
export const PROFILES_DIR = fileURLToPath(new URL('../profiles', import.meta.url));

/** Loads what the gateway and the `enlace` command both need; keys and secrets are created on first use. */
export async function loadCapabilities(
  config: Config,
  store: Store,
  clock: Clock,
): Promise<Capabilities> {
  const [keys, policy, pki, peopleSecret, pseudonymKeys, dataKeys] = await Promise.all([
    loadOrCreateGatewayKeys(config.dataDir, clock),
    loadNetworkPolicy(config.policyFile ?? DEFAULT_POLICY_PATH),
    // Reloading: `enlace pki init` on a running gateway takes effect from the next request.
    loadReloadingPki({
      dataDir: config.dataDir,
      trustAnchorsFile: config.trustAnchorsFile,
      trustCrlFiles: config.trustCrlFiles,
      certsDir: config.certsDir,
      store,
      clock,
      clockSkewMs: config.clockSkewSeconds * 1000,
    }),
    config.peopleSecret ??
      loadOrCreateLocalSecret(config.dataDir, 'people-secret.key', MIN_SECRET_BYTES),
    loadOrCreatePseudonymKeys(config.dataDir, config.pseudonymKeysFile),
    loadOrCreateDataKeys(config.dataDir, config.dataKeysFile),
  ]);
  const vault = await createPayloadVault(dataKeys);
  const consent: ConsentDeps = {
    pseudonymizer: createPseudonymizer(pseudonymKeys),
    decide,
    emergencyGrants: findActiveGrant,
    defaultDecision: config.consentDefaultDecision,
    // Consents are sealed at rest like referrals.
    vault,
    // Institutions that received data under a withdrawn consent are told through the outbox.
    onRevoked: (unit, recipients, consentRef, now) =>
      enqueueConsentRevokedNotices(unit, recipients, consentRef, now, vault),
  };
  const people = createPeople({
    store,
    clock,
    signingKey: keys.signing,
    keys,
    issuer: config.publicUrl,
    secretKey: peopleSecret,
  });
  const clientAuth = config.tls?.clientAuth ?? 'off';
  const authDeps = {
    store,
    keys,
    policy,
    clock,
    publicUrl: config.publicUrl,
    settings: { clockSkewSeconds: config.clockSkewSeconds },
    // Mutual TLS: partners' certificates validate against the same PKI as their x5c assertions.
    ...(clientAuth === 'off'
      ? {}
      : {
          clientCertificates: {
            mode: clientAuth,
            validate: (x5c: readonly string[], at: Date) => pki.validateCertificateChain(x5c, at),
          },
        }),
  };
  const tokens = createTokenService({
    ...authDeps,
    validateCertificateChain: (x5c, at) => pki.validateCertificateChain(x5c, at),
  });
  const authorize = auditRefusals(
    createAuthorizer({
      ...authDeps,
      verifyPersonToken: personVerifier((token) => people.verifyPersonToken(token)),
    }),
    { store, clock },
  );
  const profiles = loadProfiles(PROFILES_DIR);
  const ledger = await openLedger({
    store,
    dataDir: config.dataDir,
    origin: config.auditLogOrigin,
    originConfigured: config.auditLogOriginConfigured,
    clock,
  });
  return { keys, policy, pki, people, tokens, authorize, consent, vault, profiles, ledger };
}
