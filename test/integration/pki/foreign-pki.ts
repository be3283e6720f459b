// A second, unrelated CA hierarchy built with @peculiar/x509, for foreign and external-anchor chains.
import { x509 } from '../../../src/pki/x509.js';
import type { CryptoKeyPair } from '../../../src/pki/x509.js';
import { DAY, generateKeys } from './pki-fixture.js';

export interface TestCa {
  readonly certificate: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
}

const ES256 = { name: 'ECDSA', hash: 'SHA-256' };
let serial = 1;
const nextSerial = (): string => (serial++).toString(16).padStart(4, '0');

export async function createTestRoot(
  name: string,
  notBefore: Date,
  pathLength?: number,
): Promise<TestCa> {
  const keys = await generateKeys('p256');
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: [{ CN: [name] }],
    notBefore,
    notAfter: new Date(notBefore.getTime() + 3650 * DAY),
    signingAlgorithm: ES256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, pathLength, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate, keys };
}

export interface IssueOptions {
  readonly ca?: boolean;
  readonly pathLength?: number;
  readonly keyUsage?: x509.KeyUsageFlags;
  /** extendedKeyUsage OIDs; clientAuth by default for leaves, [] leaves the extension out. */
  readonly extendedKeyUsage?: readonly string[];
  readonly notBefore: Date;
  readonly days?: number;
  readonly uri?: string;
  readonly keys?: CryptoKeyPair;
}

/** Signs a certificate for `subject` with `issuer`'s key, whatever `issuer` is (even a leaf). */
export async function issueWith(
  issuer: TestCa,
  subject: string,
  options: IssueOptions,
): Promise<TestCa> {
  const keys = options.keys ?? (await generateKeys('p256'));
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(options.ca ?? false, options.pathLength, true),
    options.keyUsage !== undefined
      ? new x509.KeyUsagesExtension(options.keyUsage, true)
      : options.ca === true
        ? new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
            true,
          )
        : new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
  ];
  const purposes =
    options.extendedKeyUsage ?? (options.ca === true ? [] : [x509.ExtendedKeyUsage.clientAuth]);
  if (purposes.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension([...purposes]));
  }
  if (options.uri !== undefined) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: options.uri }]),
    );
  }
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: [{ CN: [subject] }],
    issuer: issuer.certificate.subjectName,
    notBefore: options.notBefore,
    notAfter: new Date(options.notBefore.getTime() + (options.days ?? 365) * DAY),
    signingAlgorithm: ES256,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions,
  });
  return { certificate, keys };
}

/** A CRL signed by `issuer` listing `serials`. */
export async function createTestCrl(
  issuer: TestCa,
  serials: readonly string[],
  thisUpdate: Date,
  nextUpdate: Date,
): Promise<x509.X509Crl> {
  return x509.X509CrlGenerator.create({
    issuer: issuer.certificate.subjectName,
    thisUpdate,
    nextUpdate,
    signingAlgorithm: ES256,
    signingKey: issuer.keys.privateKey,
    entries: serials.map((serialNumber) => ({
      serialNumber,
      revocationDate: thisUpdate,
      reason: x509.X509CrlReason.keyCompromise,
    })),
  });
}
