// Validates a signer's x5c chain with nothing but trusted CA certificates and their CRLs: no database, no network.
import type { KeyObject } from 'node:crypto';
import { buildPath } from '../build-path.js';
import { chainInvalid } from '../chain-error.js';
import { checkPath } from '../check-path.js';
import { checkValidityWindows } from '../check-validity.js';
import { decodeX5c } from '../decode-x5c.js';
import { checkAgainstCrls, type ExternalCrl } from '../external-crls.js';
import { DEFAULT_CLOCK_SKEW_MS, PARTNER_URI_PREFIX } from '../pki-constants.js';
import type { TrustBundle } from './trust-bundle.js';

export interface OfflineChainOptions {
  /** The instant the chain must be valid at: the signature's time, or now. */
  readonly at: Date;
  /** CRLs of the CAs in the bundle; a CA with a CRL here must not have revoked a certificate of the path. */
  readonly crls?: readonly ExternalCrl[];
  readonly skewMs?: number;
}

export interface OfflineVerifiedChain {
  readonly subject: string;
  readonly serial: string;
  readonly fingerprint256: string;
  /** The partner ids the leaf's SAN URIs name (`…/fhir/Organization/<id>`). */
  readonly partnerIds: readonly string[];
  readonly publicKey: KeyObject;
}

/**
 * The same path rules the gateway applies to its partners (RFC 5280 links, key usages, CA
 * constraints, SHA-2, validity), then revocation by the given CRLs. Throws
 * ENLACE_CERTIFICATE_INVALID "certificate chain validation failed", the reason only in `cause`.
 */
export async function verifyChainOffline(
  x5c: readonly string[],
  trust: TrustBundle,
  options: OfflineChainOptions,
): Promise<OfflineVerifiedChain> {
  const skewMs = options.skewMs ?? DEFAULT_CLOCK_SKEW_MS;
  const path = buildPath(decodeX5c(x5c), trust.anchors, trust.intermediates);
  checkPath(path);
  checkValidityWindows(path, options.at, skewMs);
  const links = path.certificates.map((cert, index) => ({
    cert,
    issuer: path.certificates[index + 1] ?? path.anchor.certificate,
  }));
  for (const { cert, issuer } of links) {
    const verdict = await checkAgainstCrls(options.crls ?? [], cert, issuer, options.at, skewMs);
    if (verdict.status === 'refused') throw chainInvalid(verdict.reason);
  }
  const leaf = path.certificates[0];
  if (leaf === undefined) throw chainInvalid('the path has no leaf');
  return {
    subject: leaf.subject,
    serial: leaf.serial,
    fingerprint256: leaf.fingerprint256,
    partnerIds: leaf.uris
      .filter((uri) => uri.startsWith(PARTNER_URI_PREFIX))
      .map((uri) => uri.slice(PARTNER_URI_PREFIX.length)),
    publicKey: leaf.node.publicKey,
  };
}
