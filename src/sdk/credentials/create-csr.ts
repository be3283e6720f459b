// A PKCS#10 request for the institution's signing key, which the operator turns into its network certificate.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { subtle, x509 } from '../../pki/x509.js';

const CURVES: Readonly<Record<string, { namedCurve: string; hash: string }>> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
};

/**
 * Signs the request with the key itself (proof of possession). Only EC P-256 and P-384 keys: the
 * network CA certifies no other kind. The subject is a label only: the certificate names the
 * partner the operator registers.
 */
export async function createCertificateRequest(
  privateKey: KeyObject,
  commonName: string,
): Promise<string> {
  const curve =
    privateKey.asymmetricKeyType === 'ec'
      ? CURVES[privateKey.asymmetricKeyDetails?.namedCurve ?? '']
      : undefined;
  if (curve === undefined) {
    throw new TypeError('a CSR needs an EC P-256 or P-384 signing key (ES256 or ES384)');
  }
  const algorithm = { name: 'ECDSA', ...curve };
  const keys = {
    privateKey: await subtle.importKey(
      'pkcs8',
      privateKey.export({ format: 'der', type: 'pkcs8' }),
      algorithm,
      false,
      ['sign'],
    ),
    publicKey: await subtle.importKey(
      'spki',
      createPublicKey(privateKey).export({ format: 'der', type: 'spki' }),
      algorithm,
      true,
      ['verify'],
    ),
  };
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [commonName] }],
    keys,
    signingAlgorithm: algorithm,
  });
  return csr.toString('pem');
}
