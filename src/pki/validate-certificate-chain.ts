// Validates a client's x5c chain for the hot path: structure (cached), then time and revocation (always).
import type { X509Certificate } from 'node:crypto';
import { isGatewayError } from '../kernel/index.js';
import { buildPath } from './build-path.js';
import type { CertificationPath } from './build-path.js';
import { chainInvalid } from './chain-error.js';
import type { ChainCache } from './chain-cache.js';
import { checkPath } from './check-path.js';
import { checkRevocation } from './check-revocation.js';
import type { RevocationContext } from './check-revocation.js';
import { checkValidityWindows } from './check-validity.js';
import { decodeX5c } from './decode-x5c.js';
import type { ParsedCertificate } from './parsed-certificate.js';
import type { TrustAnchor } from './trust-anchors.js';

export interface ValidatedChain {
  readonly leaf: X509Certificate;
  /** Canonical lowercase hex serial of the leaf. */
  readonly serial: string;
  readonly subject: string;
  readonly fingerprint256: string;
  /** Set for certificates the gateway issued (from its registry); external chains map elsewhere. */
  readonly partnerId: string | undefined;
  readonly anchor: TrustAnchor;
}

export interface ChainValidator {
  readonly anchors: readonly TrustAnchor[];
  readonly intermediates: readonly ParsedCertificate[];
  readonly cache: ChainCache;
  readonly revocation: RevocationContext;
}

/**
 * Throws ENLACE_CERTIFICATE_INVALID ("certificate chain validation failed") for any failure, with
 * the precise reason in `cause` for logs and audit.
 */
export async function validateCertificateChain(
  validator: ChainValidator,
  x5c: readonly string[],
  at: Date,
): Promise<ValidatedChain> {
  const path = checkStructure(validator, x5c);
  checkValidityWindows(path, at, validator.revocation.skewMs);
  // A database failure here propagates as itself (a 5xx), not as a refused chain.
  const partnerId = await checkRevocation(path, at, validator.revocation);
  const leaf = path.certificates[0];
  if (leaf === undefined) throw chainInvalid('the path has no leaf');
  return {
    leaf: leaf.node,
    serial: leaf.serial,
    subject: leaf.subject,
    fingerprint256: leaf.fingerprint256,
    partnerId,
    anchor: path.anchor,
  };
}

function checkStructure(validator: ChainValidator, x5c: readonly string[]): CertificationPath {
  try {
    const key = Array.isArray(x5c) ? validator.cache.keyOf(x5c) : undefined;
    const cached = key === undefined ? undefined : validator.cache.get(key);
    if (cached !== undefined) return cached;
    const path = buildPath(decodeX5c(x5c), validator.anchors, validator.intermediates);
    checkPath(path);
    if (key !== undefined) validator.cache.set(key, path);
    return path;
  } catch (error) {
    // Anything unexpected from a parser still answers uniformly.
    if (isGatewayError(error) && error.code === 'ENLACE_CERTIFICATE_INVALID') throw error;
    throw chainInvalid('unexpected failure while checking the chain', error);
  }
}
