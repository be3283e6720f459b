// Writes certs/test/: a public-only test national PKI (root, regional CA, two leaves, CRLs) whose private keys are never stored.
//
// Run `npx tsx scripts/certs/make-test-anchors.ts` to regenerate it. The keys live only in this
// process, so nobody can issue or revoke under these anchors: trusting them admits no one, which is
// why they may be committed and loaded by the tests and by a development gateway alike.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subtle, x509 } from '../../src/pki/x509.js';
import type { CryptoKeyPair } from '../../src/pki/x509.js';

const OUT = fileURLToPath(new URL('../../certs/test', import.meta.url));
const ES256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
// Long windows so the fixtures do not expire under the tests, which check at fixed instants.
const FROM = new Date('2026-01-01T00:00:00Z');
const UNTIL = new Date('2125-12-31T00:00:00Z');

interface Ca {
  readonly certificate: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
}

const generate = (): Promise<CryptoKeyPair> => subtle.generateKey(ES256, false, ['sign', 'verify']);

async function caExtensions(keys: CryptoKeyPair, pathLength: number, issuer?: Ca) {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ...(issuer === undefined
      ? []
      : [await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey)]),
  ];
}

async function createRoot(): Promise<Ca> {
  const keys = await generate();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Enlace Test National Root CA, O=Enlace test anchors (no private key exists), C=UY',
    notBefore: FROM,
    notAfter: UNTIL,
    signingAlgorithm: ES256,
    keys,
    extensions: await caExtensions(keys, 1),
  });
  return { certificate, keys };
}

async function issueRegional(root: Ca): Promise<Ca> {
  const keys = await generate();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=Enlace Test Regional CA, O=Enlace test anchors (no private key exists), C=UY',
    issuer: root.certificate.subjectName,
    notBefore: FROM,
    notAfter: UNTIL,
    signingAlgorithm: ES256,
    publicKey: keys.publicKey,
    signingKey: root.keys.privateKey,
    extensions: await caExtensions(keys, 0, root),
  });
  return { certificate, keys };
}

async function issueLeaf(issuer: Ca, serial: string, name: string): Promise<x509.X509Certificate> {
  const keys = await generate();
  return x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: `CN=${name}`,
    issuer: issuer.certificate.subjectName,
    notBefore: FROM,
    notAfter: UNTIL,
    signingAlgorithm: ES256,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
    ],
  });
}

async function createCrl(issuer: Ca, serials: readonly string[]): Promise<x509.X509Crl> {
  return x509.X509CrlGenerator.create({
    issuer: issuer.certificate.subjectName,
    thisUpdate: FROM,
    nextUpdate: UNTIL,
    signingAlgorithm: ES256,
    signingKey: issuer.keys.privateKey,
    entries: serials.map((serialNumber) => ({
      serialNumber,
      revocationDate: FROM,
      reason: x509.X509CrlReason.keyCompromise,
    })),
  });
}

const root = await createRoot();
const regional = await issueRegional(root);
const good = await issueLeaf(regional, '1001', 'hospital-de-prueba');
const revoked = await issueLeaf(regional, '1002', 'comisaria-revocada');

await rm(OUT, { recursive: true, force: true });
for (const folder of ['anchors', 'crls', 'certificates']) {
  await mkdir(join(OUT, folder), { recursive: true });
}
const pem = (item: { toString(format: 'pem'): string }): string => `${item.toString('pem')}\n`;
await writeFile(join(OUT, 'anchors', 'enlace-test-national-root.pem'), pem(root.certificate));
// Both formats a ministry may receive: the root's (empty) CRL in PEM, the regional CA's in DER.
await writeFile(join(OUT, 'crls', 'enlace-test-national-root.pem'), pem(await createCrl(root, [])));
await writeFile(
  join(OUT, 'crls', 'enlace-test-regional-ca.crl'),
  Buffer.from((await createCrl(regional, ['1002'])).rawData),
);
await writeFile(
  join(OUT, 'certificates', 'enlace-test-regional-ca.cert.pem'),
  pem(regional.certificate),
);
await writeFile(join(OUT, 'certificates', 'hospital-de-prueba.cert.pem'), pem(good));
await writeFile(join(OUT, 'certificates', 'comisaria-revocada.cert.pem'), pem(revoked));
process.stdout.write(`wrote ${OUT}\n`);
