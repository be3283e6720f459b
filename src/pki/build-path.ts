// Finds the certification path from the presented chain to a trust anchor, completing it with known CAs.
import { chainInvalid } from './chain-error.js';
import type { ParsedCertificate } from './parsed-certificate.js';
import { MAX_CHAIN_LENGTH } from './pki-constants.js';
import type { TrustAnchor } from './trust-anchors.js';

export interface CertificationPath {
  /** Leaf first, up to (excluding) the anchor. */
  readonly certificates: readonly ParsedCertificate[];
  readonly anchor: TrustAnchor;
}

/** Whether `issuer` names and keys match `child` and its key verifies child's signature. */
export function isIssuedBy(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  return child.node.checkIssued(issuer.node) && child.node.verify(issuer.node.publicKey);
}

export function buildPath(
  presented: readonly ParsedCertificate[],
  anchors: readonly TrustAnchor[],
  intermediates: readonly ParsedCertificate[],
): CertificationPath {
  const byFingerprint = new Map(anchors.map((anchor) => [anchor.fingerprint256, anchor]));
  // A client may include the anchor itself; it must then be the last entry.
  const anchorIndex = presented.findIndex((cert) => byFingerprint.has(cert.fingerprint256));
  if (anchorIndex === 0) {
    throw chainInvalid('the leaf is itself a trust anchor');
  }
  if (anchorIndex > 0) {
    if (anchorIndex !== presented.length - 1) {
      throw chainInvalid('certificates follow the trust anchor in x5c');
    }
    const anchor = byFingerprint.get(presented[anchorIndex]?.fingerprint256 ?? '');
    if (anchor === undefined) throw chainInvalid('trust anchor lookup failed');
    return bounded({ certificates: presented.slice(0, anchorIndex), anchor });
  }

  const last = presented.at(-1);
  if (last === undefined) throw chainInvalid('x5c is empty');
  const direct = anchors.find((anchor) => isIssuedBy(last, anchor.certificate));
  if (direct !== undefined) return bounded({ certificates: presented, anchor: direct });

  // The gateway's issuing CA is not an anchor (its root is); partners may omit it from x5c.
  for (const intermediate of intermediates) {
    if (presented.some((cert) => cert.fingerprint256 === intermediate.fingerprint256)) continue;
    if (!isIssuedBy(last, intermediate)) continue;
    const anchor = anchors.find((candidate) => isIssuedBy(intermediate, candidate.certificate));
    if (anchor !== undefined) {
      return bounded({ certificates: [...presented, intermediate], anchor });
    }
  }
  throw chainInvalid(`the chain of ${last.subject} does not end at a trust anchor`);
}

function bounded(path: CertificationPath): CertificationPath {
  if (path.certificates.length + 1 > MAX_CHAIN_LENGTH) {
    throw chainInvalid(`the path has more than ${MAX_CHAIN_LENGTH} certificates`);
  }
  return path;
}
