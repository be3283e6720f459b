// Loads the PKI once at start: the gateway CA (if initialized), external anchors and CRLs, and the caches.
import { GatewayError, systemClock } from '../kernel/index.js';
import type { Clock } from '../kernel/index.js';
import type { Store } from '../store/index.js';
import { createCrlBuilder } from './build-crl.js';
import { listCertificateRecords } from './certificate-repository.js';
import type { CertificateRecord } from './certificate-repository.js';
import { listCertsDir } from './certs-dir.js';
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
  /** A folder whose `anchors/` and `crls/` add to the two above (ENLACE_CERTS_DIR, `./certs` in development). */
  readonly certsDir?: string | undefined;
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
  /**
   * Brings `anchors`, `hasGatewayCa` and `caChainPem()` up to date with the CA files (the
   * asynchronous members do so themselves); a PKI from `loadPki` is loaded once and has nothing
   * to re-read, one from `loadReloadingPki` notices `enlace pki init` on a running gateway.
   */
  refresh(): Promise<void>;
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

/** The first of each certificate: the same CA in a bundle and in the certs folder is one anchor. */
function uniqueAnchors(anchors: readonly TrustAnchor[]): TrustAnchor[] {
  const seen = new Set<string>();
  return anchors.filter((anchor) => {
    if (seen.has(anchor.fingerprint256)) return false;
    seen.add(anchor.fingerprint256);
    return true;
  });
}

export async function loadPki(options: LoadPkiOptions): Promise<Pki> {
  const { store, clock = systemClock, clockSkewMs = DEFAULT_CLOCK_SKEW_MS } = options;
  const gatewayCa = await loadGatewayCa(options.dataDir);
  const folder =
    options.certsDir === undefined
      ? { anchorFiles: [], crlFiles: [] }
      : await listCertsDir(options.certsDir);
  const anchorFiles = [
    ...(options.trustAnchorsFile === undefined ? [] : [options.trustAnchorsFile]),
    ...folder.anchorFiles,
  ];
  const external: TrustAnchor[] = [];
  for (const path of anchorFiles) external.push(...(await loadExternalAnchors(path)));
  const anchors = uniqueAnchors([
    ...(gatewayCa === undefined ? [] : [toTrustAnchor(gatewayCa.root, 'gateway')]),
    ...external,
  ]);
  const crls = await loadExternalCrls([...(options.trustCrlFiles ?? []), ...folder.crlFiles]);
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
    refresh: () => Promise.resolve(),
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
