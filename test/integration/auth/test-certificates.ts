// Small X.509 fixtures built in the test: an external CA, leaves it issues, and a leaf that poses as a CA.
import { randomBytes } from 'node:crypto';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import { subtle, x509 } from '../../../src/pki/x509.js';

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

type WebKey = Parameters<typeof subtle.sign>[1];

export interface TestCa {
  readonly certificate: x509.X509Certificate;
  readonly privateKey: WebKey;
  readonly keyId: string;
}

const serial = (): string => `01${randomBytes(8).toString('hex')}`;

/** The certificate as an x5c entry: base64 (not base64url) DER. */
export const toX5c = (certificate: x509.X509Certificate): string =>
  Buffer.from(certificate.rawData).toString('base64');

export const fromPem = (pem: string): x509.X509Certificate => new x509.X509Certificate(pem);

export async function createTestCa(name: string, at: Date): Promise<TestCa> {
  const keys = await subtle.generateKey(EC, false, ['sign', 'verify']);
  const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    notBefore: new Date(at.getTime() - DAY_MS),
    notAfter: new Date(at.getTime() + 365 * DAY_MS),
    keys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      ski,
    ],
  });
  return { certificate, privateKey: keys.privateKey, keyId: ski.keyId };
}

/** The public half of a partner key as WebCrypto wants it for a certificate or CSR. */
export async function toWebPublicKey(jwk: JWK): Promise<WebKey> {
  return (await importJWK(jwk, 'ES256', { extractable: true })) as unknown as WebKey;
}

/**
 * A client-authentication leaf signed by `issuer`. With `issuer` a partner's own leaf and its key,
 * this is the "leaf used as CA" forgery.
 */
export async function issueLeaf(
  issuer: { readonly certificate: x509.X509Certificate; readonly privateKey: WebKey },
  subjectKey: WebKey,
  name: string,
  at: Date,
): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${name}`,
    issuer: issuer.certificate.subject,
    notBefore: new Date(at.getTime() - 60_000),
    notAfter: new Date(at.getTime() + 30 * DAY_MS),
    signingKey: issuer.privateKey,
    publicKey: subjectKey,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.SubjectKeyIdentifierExtension.create(subjectKey),
    ],
  });
}

/** A PKCS#10 request for the partner key, as an operator would submit it. */
export async function createCsrPem(
  privateKey: CryptoKey,
  publicJwk: JWK,
  name: string,
): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${name}`,
    keys: {
      privateKey: privateKey,
      publicKey: await toWebPublicKey(publicJwk),
    },
    signingAlgorithm: EC,
  });
  return csr.toString('pem');
}
