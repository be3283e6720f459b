// The time-independent checks of a certification path (RFC 5280 §6.1), each link verified explicitly.
import { chainInvalid } from './chain-error.js';
import type { CertificationPath } from './build-path.js';
import { describeRefusedKey } from './key-policy.js';
import type { ParsedCertificate } from './parsed-certificate.js';
import { x509 } from './x509.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ALLOWED_HASHES = new Set(['SHA-256', 'SHA-384', 'SHA-512']);

/** Throws on the first failed check; the result depends only on the certificates and anchors. */
export function checkPath({ certificates, anchor }: CertificationPath): void {
  const leaf = certificates[0];
  if (leaf === undefined) throw chainInvalid('the path has no leaf');
  checkLeaf(leaf);
  certificates.forEach((child, index) => {
    const issuer = certificates[index + 1] ?? anchor.certificate;
    checkCertificate(child, index === 0 ? 'partner' : 'chain');
    checkLink(child, issuer, index);
  });
}

function checkLeaf(leaf: ParsedCertificate): void {
  // Why: a CA certificate presented as a client identity could mint further identities.
  if (leaf.isCa || leaf.caDisagreement) {
    throw chainInvalid(`leaf ${leaf.subject} is a CA certificate`);
  }
  // Why: partner keys sign requests and messages; a key not certified for signatures must not.
  if (leaf.keyUsage === undefined || (leaf.keyUsage & x509.KeyUsageFlags.digitalSignature) === 0) {
    throw chainInvalid(`leaf ${leaf.subject} lacks the digitalSignature key usage`);
  }
  if (leaf.extendedKeyUsage !== undefined && !leaf.extendedKeyUsage.includes(CLIENT_AUTH)) {
    throw chainInvalid(`leaf ${leaf.subject} is not certified for client authentication`);
  }
}

function checkCertificate(cert: ParsedCertificate, role: 'partner' | 'chain'): void {
  const refused = describeRefusedKey(cert.node.publicKey, role);
  if (refused !== undefined) throw chainInvalid(`${cert.subject}: ${refused}`);
  // RFC 5280 §4.2: a certificate with a critical extension the validator does not process is invalid.
  if (cert.unhandledCritical.length > 0) {
    throw chainInvalid(
      `${cert.subject} has unhandled critical extensions ${cert.unhandledCritical.join(', ')}`,
    );
  }
  // Why: SHA-1 and MD5 signatures can be forged by collision; only SHA-2 signatures are accepted.
  if (cert.signatureHash === undefined || !ALLOWED_HASHES.has(cert.signatureHash)) {
    throw chainInvalid(`${cert.subject} is signed with a weak or unknown hash`);
  }
}

/** `intermediatesBelow`: how many CA certificates sit between this issuer and the leaf. */
function checkIssuerKind(issuer: ParsedCertificate, intermediatesBelow: number): void {
  // Why explicit: a signature that verifies proves nothing if the signer was never allowed to sign
  // certificates. A leaf signing another certificate (node-forge CVE-2026-33896) stops here.
  if (!issuer.isCa || issuer.caDisagreement) {
    throw chainInvalid(`${issuer.subject} signed a certificate but is not a CA`);
  }
  if (issuer.keyUsage !== undefined && (issuer.keyUsage & x509.KeyUsageFlags.keyCertSign) === 0) {
    throw chainInvalid(`${issuer.subject} lacks the keyCertSign key usage`);
  }
  if (issuer.pathLength !== undefined && intermediatesBelow > issuer.pathLength) {
    throw chainInvalid(
      `${issuer.subject} allows ${issuer.pathLength} CAs below it, the path has ${intermediatesBelow}`,
    );
  }
}

function checkLink(child: ParsedCertificate, issuer: ParsedCertificate, index: number): void {
  checkIssuerKind(issuer, index);
  // checkIssued compares issuer/subject names and key identifiers; verify checks the signature.
  if (!child.node.checkIssued(issuer.node)) {
    throw chainInvalid(`${child.subject} does not name ${issuer.subject} as its issuer`);
  }
  if (!child.node.verify(issuer.node.publicKey)) {
    throw chainInvalid(`the signature on ${child.subject} does not verify`);
  }
}
