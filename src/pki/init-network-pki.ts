// Creates a new network's root CA (P-384, 10 years) and issuing CA (P-256, 5 years, pathLen 0).
import type { webcrypto } from 'node:crypto';
import { join } from 'node:path';
import { GatewayError, systemClock } from '../kernel/index.js';
import type { Clock } from '../kernel/index.js';
import { buildCaExtensions, keyIdOf } from './ca-extensions.js';
import { checkDisplayText, toCaName } from './distinguished-names.js';
import { ensurePkiDir, exists, writePrivateFile } from './pki-files.js';
import {
  ISSUING_CA_ALGORITHM,
  ISSUING_CA_YEARS,
  PKI_FILES,
  ROOT_CA_ALGORITHM,
  ROOT_CA_YEARS,
} from './pki-constants.js';
import { generateSerialHex } from './serial-number.js';
import { subtle, x509 } from './x509.js';
import type { CryptoKey, CryptoKeyPair } from './x509.js';

export interface InitNetworkPkiOptions {
  readonly dataDir: string;
  /** Shown in the CA subjects, e.g. "Red Enlace Uruguay". */
  readonly networkName: string;
  /** Replace an existing CA. Every certificate the old CA issued stops validating. */
  readonly force?: boolean;
  readonly clock?: Clock;
}

export interface NetworkPkiFiles {
  readonly dir: string;
  readonly rootCertPem: string;
  readonly issuingCertPem: string;
}

const addYears = (date: Date, years: number): Date => {
  const result = new Date(date);
  result.setUTCFullYear(result.getUTCFullYear() + years);
  return result;
};

async function generateKeys(algorithm: webcrypto.EcKeyGenParams): Promise<CryptoKeyPair> {
  // Extractable only here, once, to write the PKCS#8 file; loadPki imports it non-extractable.
  return subtle.generateKey(algorithm, true, ['sign', 'verify']);
}

async function toPkcs8Pem(key: CryptoKey): Promise<string> {
  const der = await subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

export async function initNetworkPki(options: InitNetworkPkiOptions): Promise<NetworkPkiFiles> {
  const { dataDir, networkName, force = false, clock = systemClock } = options;
  checkDisplayText('network name', networkName, 48);
  const dir = await ensurePkiDir(dataDir);
  const paths = {
    rootKey: join(dir, PKI_FILES.rootKey),
    rootCert: join(dir, PKI_FILES.rootCert),
    issuingKey: join(dir, PKI_FILES.issuingKey),
    issuingCert: join(dir, PKI_FILES.issuingCert),
  };
  // Why: replacing a CA silently would orphan every partner certificate of the network.
  if (!force) {
    for (const path of Object.values(paths)) {
      if (await exists(path)) {
        throw new GatewayError(
          'ENLACE_PKI_ALREADY_INITIALIZED',
          `a certificate authority already exists in ${dir}; use force to replace it`,
        );
      }
    }
  }

  const now = clock();
  const rootKeys = await generateKeys(ROOT_CA_ALGORITHM);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: generateSerialHex(),
    name: toCaName(networkName, 'Root CA'),
    notBefore: now,
    notAfter: addYears(now, ROOT_CA_YEARS),
    signingAlgorithm: ROOT_CA_ALGORITHM,
    keys: rootKeys,
    extensions: await buildCaExtensions(rootKeys.publicKey, 1, ''),
  });

  const issuingKeys = await generateKeys(ISSUING_CA_ALGORITHM);
  const issuing = await x509.X509CertificateGenerator.create({
    serialNumber: generateSerialHex(),
    subject: toCaName(networkName, 'Issuing CA'),
    issuer: root.subjectName,
    notBefore: now,
    notAfter: addYears(now, ISSUING_CA_YEARS),
    signingAlgorithm: ROOT_CA_ALGORITHM,
    publicKey: issuingKeys.publicKey,
    signingKey: rootKeys.privateKey,
    // pathLen 0: the issuing CA signs partner certificates only, never another CA.
    extensions: await buildCaExtensions(
      issuingKeys.publicKey,
      0,
      await keyIdOf(rootKeys.publicKey),
    ),
  });

  const rootCertPem = root.toString('pem');
  const issuingCertPem = issuing.toString('pem');
  await writePrivateFile(paths.rootKey, await toPkcs8Pem(rootKeys.privateKey), force);
  await writePrivateFile(paths.issuingKey, await toPkcs8Pem(issuingKeys.privateKey), force);
  await writePrivateFile(paths.rootCert, `${rootCertPem}\n`, force);
  await writePrivateFile(paths.issuingCert, `${issuingCertPem}\n`, force);
  return { dir, rootCertPem, issuingCertPem };
}
