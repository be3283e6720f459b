// Trust anchors: the gateway's own root and any external (national) CA certificates from a PEM bundle.
import { GatewayError } from '../kernel/index.js';
import { parseCertificate } from './parsed-certificate.js';
import type { ParsedCertificate } from './parsed-certificate.js';
import { readPublicFile } from './pki-files.js';
import { x509 } from './x509.js';

export type AnchorSource = 'gateway' | 'external';

export interface TrustAnchor {
  readonly source: AnchorSource;
  readonly subject: string;
  readonly fingerprint256: string;
  readonly certificate: ParsedCertificate;
}

export function toTrustAnchor(certificate: ParsedCertificate, source: AnchorSource): TrustAnchor {
  // Why: an anchor that is not a CA could only ever "issue" by the leaf-as-CA trick; refuse it early.
  if (!certificate.isCa) {
    throw new GatewayError(
      'ENLACE_PKI_MATERIAL_INVALID',
      `trust anchor ${certificate.subject} is not a CA certificate (basicConstraints cA is not true)`,
    );
  }
  return {
    source,
    subject: certificate.subject,
    fingerprint256: certificate.fingerprint256,
    certificate,
  };
}

/** Every CERTIFICATE block of a PEM bundle as DER; anything else in the file is refused. */
export function decodeCertificateBundle(text: string, path: string): Uint8Array[] {
  let blocks: x509.PemStruct[];
  try {
    blocks = x509.PemConverter.decodeWithHeaders(text);
  } catch (error) {
    throw new GatewayError('ENLACE_PKI_MATERIAL_INVALID', `${path} is not a PEM file`, {
      cause: error,
    });
  }
  if (blocks.length === 0) {
    throw new GatewayError('ENLACE_PKI_MATERIAL_INVALID', `${path} holds no certificate`);
  }
  return blocks.map((block) => {
    if (block.type !== 'CERTIFICATE') {
      throw new GatewayError(
        'ENLACE_PKI_MATERIAL_INVALID',
        `${path} holds a ${block.type} block; only CERTIFICATE blocks are allowed`,
      );
    }
    return new Uint8Array(block.rawData);
  });
}

export function parseOrRefuse(der: Uint8Array, what: string): ParsedCertificate {
  try {
    return parseCertificate(der);
  } catch (error) {
    throw new GatewayError('ENLACE_PKI_MATERIAL_INVALID', `${what} is not a valid certificate`, {
      cause: error,
    });
  }
}

/** Loads the external anchors bundle (ENLACE_TRUST_ANCHORS_FILE). */
export async function loadExternalAnchors(path: string): Promise<TrustAnchor[]> {
  const text = (await readPublicFile(path)).toString('utf8');
  return decodeCertificateBundle(text, path).map((der, index) =>
    toTrustAnchor(parseOrRefuse(der, `certificate ${index + 1} of ${path}`), 'external'),
  );
}
