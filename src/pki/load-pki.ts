// Loads the PKI once at start: the gateway CA (if initialized), external anchors and CRLs, and the caches.
import { GatewayError, systemClock } from '../kernel/index.js';
import type { Clock } from '../kernel/index.js';
import type { Store } from '../store/index.js';
import { createCrlBuilder } from './build-crl.js';
import { listCertificateRecords } from './certificate-repository.js';
import type { CertificateRecord } from './certificate-repository.js';
import { createChainCache } from './chain-cache.js';
import { loadExternalCrls } from './external-crls.js';
import { loadGatewayCa } from './gateway-ca.js';
import { issueCertificate } from './issue-certificate.js';
import type { IssueCertificateInput } from './issue-certificate.js';
import { CHAIN_CACHE_ENTRIES, DEFAULT_CLOCK_SKEW_MS } from './pki-constants.js';
import { revokeCertificate } from './revoke-certificate.js';
import type { RevokeCertificateInput } from './revoke-certificate.js';
import { loadExternalAnchors, toTrustAnchor } from './trust-anchors.js';
import type { TrustAnchor } from './trust-anchors.js';
import { validateCertificateChain } from './validate-certificate-chain.js';
import type { ChainValidator, ValidatedChain } from './validate-certificate-chain.js';

export interface LoadPkiOptions {
  readonly dataDir: string;
  /** PEM bundle of external CA certificates trusted as anchors (ENLACE_TRUST_ANCHORS_FILE). */
  readonly trustAnchorsFile?: string | undefined;
  /** DER or PEM CRL files of external CAs (ENLACE_TRUST_CRL_FILES). */
  readonly trustCrlFiles?: readonly string[] | undefined;
  readonly store: Store;
  readonly clock?: Clock | undefined;
  /** Tolerated clock skew on validity windows; defaults to 60 s. */
  readonly clockSkewMs?: number | undefined;
}

export interface Pki {
  /** Every active trust anchor: the gateway's root (when initialized) and the external ones. */
  readonly anchors: readonly TrustAnchor[];
  /** Whether this gateway has its own CA (`enlace pki init` was run). */
  readonly hasGatewayCa: boolean;
  issueCertificate(input: IssueCertificateInput): Promise<CertificateRecord>;
  revokeCertificate(input: RevokeCertificateInput): Promise<CertificateRecord>;
  listCertificates(partnerId?: string): Promise<CertificateRecord[]>;
  /** The issuing CA's current CRL, DER encoded (application/pkix-crl). */
  buildCrl(): Promise<Uint8Array>;
  /** The issuing CA then the root, PEM (application/pem-certificate-chain). */
  caChainPem(): string;
  validateCertificateChain(x5c: readonly string[], at: Date): Promise<ValidatedChain>;
}

function requireCa<T>(part: T | undefined): T {
  if (part === undefined) {
    throw new GatewayError(
      'ENLACE_PKI_NOT_INITIALIZED',
      'this gateway has no certificate authority of its own; run "enlace pki init" first',
    );
  }
  return part;
}

export async function loadPki(options: LoadPkiOptions): Promise<Pki> {
  const { store, clock = systemClock, clockSkewMs = DEFAULT_CLOCK_SKEW_MS } = options;
  const gatewayCa = await loadGatewayCa(options.dataDir);
  const external =
    options.trustAnchorsFile === undefined
      ? []
      : await loadExternalAnchors(options.trustAnchorsFile);
  const anchors = [
    ...(gatewayCa === undefined ? [] : [toTrustAnchor(gatewayCa.root, 'gateway')]),
    ...external.filter((anchor) => anchor.fingerprint256 !== gatewayCa?.root.fingerprint256),
  ];
  const crls = await loadExternalCrls(options.trustCrlFiles ?? []);
  const validator: ChainValidator = {
    anchors,
    intermediates: gatewayCa === undefined ? [] : [gatewayCa.issuing],
    cache: createChainCache(CHAIN_CACHE_ENTRIES),
    revocation: { db: store.db, gatewayCa, crls, skewMs: clockSkewMs },
  };
  const crlBuilder = gatewayCa === undefined ? undefined : createCrlBuilder(gatewayCa, store);

  return {
    anchors,
    hasGatewayCa: gatewayCa !== undefined,
    issueCertificate: (input) => issueCertificate(requireCa(gatewayCa), store, clock(), input),
    revokeCertificate: async (input) => {
      requireCa(gatewayCa);
      return revokeCertificate(store, clock(), input);
    },
    listCertificates: (partnerId) => listCertificateRecords(store.db, partnerId),
    buildCrl: async () => requireCa(crlBuilder).build(clock()),
    caChainPem: () => {
      const ca = requireCa(gatewayCa);
      return `${ca.issuing.peculiar.toString('pem')}\n${ca.root.peculiar.toString('pem')}\n`;
    },
    validateCertificateChain: (x5c, at) => validateCertificateChain(validator, x5c, at),
  };
}
