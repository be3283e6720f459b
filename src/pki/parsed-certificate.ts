// One certificate parsed once by both OpenSSL (node:crypto) and @peculiar/x509, with the fields validation reads.
import { X509Certificate } from 'node:crypto';
import { toSerialKey } from './serial-number.js';
import { x509 } from './x509.js';

/** Extensions whose semantics validation enforces; any other critical extension is refused. */
const HANDLED_CRITICAL = new Set([
  '2.5.29.19', // basicConstraints
  '2.5.29.15', // keyUsage
  '2.5.29.37', // extendedKeyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.32', // certificatePolicies (any policy accepted, none required)
]);

export interface ParsedCertificate {
  readonly node: X509Certificate;
  readonly peculiar: x509.X509Certificate;
  readonly fingerprint256: string;
  /** Canonical serial key (see serial-number.ts). */
  readonly serial: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** basicConstraints cA, true only when OpenSSL and @peculiar/x509 both read it so. */
  readonly isCa: boolean;
  /** Whether the two parsers disagreed on cA: a sign of a crafted encoding. */
  readonly caDisagreement: boolean;
  readonly pathLength: number | undefined;
  /** keyUsage flags, undefined when the extension is absent. */
  readonly keyUsage: number | undefined;
  /** extendedKeyUsage OIDs, undefined when the extension is absent. */
  readonly extendedKeyUsage: readonly string[] | undefined;
  readonly uris: readonly string[];
  readonly unhandledCritical: readonly string[];
  /** Hash of the signature algorithm, e.g. "SHA-256". */
  readonly signatureHash: string | undefined;
}

/** Parses DER; throws (any error) when either parser refuses it or it carries trailing bytes. */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const node = new X509Certificate(der);
  // Why: bytes after the certificate are not covered by its signature; refuse rather than ignore them.
  if (!node.raw.equals(Buffer.from(der))) {
    throw new Error('certificate has trailing data');
  }
  const peculiar = new x509.X509Certificate(new Uint8Array(der));
  const basic = peculiar.getExtension(x509.BasicConstraintsExtension);
  const usage = peculiar.getExtension(x509.KeyUsagesExtension);
  const extended = peculiar.getExtension(x509.ExtendedKeyUsageExtension);
  const san = peculiar.getExtension(x509.SubjectAlternativeNameExtension);
  const peculiarCa = basic?.ca === true;
  const hashName: unknown = (peculiar.signatureAlgorithm as { hash?: { name?: unknown } }).hash
    ?.name;
  return {
    node,
    peculiar,
    fingerprint256: node.fingerprint256,
    serial: toSerialKey(node.serialNumber),
    subject: peculiar.subject,
    notBefore: peculiar.notBefore,
    notAfter: peculiar.notAfter,
    isCa: node.ca && peculiarCa,
    caDisagreement: node.ca !== peculiarCa,
    pathLength: basic?.pathLength,
    keyUsage: usage?.usages,
    extendedKeyUsage: extended?.usages.map(String),
    uris: (san?.names.items ?? []).filter((name) => name.type === 'url').map((name) => name.value),
    unhandledCritical: peculiar.extensions
      .filter((extension) => extension.critical && !HANDLED_CRITICAL.has(extension.type))
      .map((extension) => extension.type),
    signatureHash: typeof hashName === 'string' ? hashName : undefined,
  };
}
