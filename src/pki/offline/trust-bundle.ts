// A PEM bundle of CA certificates (the network's /pki/ca.pem, a national PKI) read as anchors and intermediates.
import { parseOrRefuse, toTrustAnchor, decodeCertificateBundle } from '../trust-anchors.js';
import type { TrustAnchor } from '../trust-anchors.js';
import type { ParsedCertificate } from '../parsed-certificate.js';

export interface TrustBundle {
  /** Self-signed CA certificates: where every path must end. */
  readonly anchors: readonly TrustAnchor[];
  /** The other CA certificates of the bundle, used to complete a chain that omits them. */
  readonly intermediates: readonly ParsedCertificate[];
}

/**
 * Why only self-signed certificates become anchors: the issuing CA's certificate in the same file
 * is trusted because the root signed it, which the path check verifies like any other link.
 */
export function readTrustBundle(pem: string, source: string): TrustBundle {
  const certificates = decodeCertificateBundle(pem, source).map((der, index) =>
    parseOrRefuse(der, `${source} certificate ${index + 1}`),
  );
  const selfSigned = (cert: ParsedCertificate): boolean =>
    cert.node.checkIssued(cert.node) && cert.node.verify(cert.node.publicKey);
  return {
    anchors: certificates.filter(selfSigned).map((cert) => toTrustAnchor(cert, 'external')),
    intermediates: certificates.filter((cert) => cert.isCa && !selfSigned(cert)),
  };
}
