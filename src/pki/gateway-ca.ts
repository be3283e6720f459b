// Loads the gateway's own CA from `<dataDir>/pki/`: certificates parsed and the issuing key imported once.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { GatewayError } from '../kernel/index.js';
import type { ParsedCertificate } from './parsed-certificate.js';
import { ISSUING_CA_ALGORITHM, PKI_FILES } from './pki-constants.js';
import { exists, pkiDir, readPrivateFile, readPublicFile } from './pki-files.js';
import { decodeCertificateBundle, parseOrRefuse } from './trust-anchors.js';
import { isIssuedBy } from './build-path.js';
import { subtle, x509 } from './x509.js';
import type { CryptoKey } from './x509.js';

export interface GatewayCa {
  readonly root: ParsedCertificate;
  readonly issuing: ParsedCertificate;
  /** Non-extractable WebCrypto key: it can sign, it can never be exported again. */
  readonly issuingKey: CryptoKey;
  readonly issuingKeyId: string;
}

async function readCertificate(path: string): Promise<ParsedCertificate> {
  const ders = decodeCertificateBundle((await readPublicFile(path)).toString('utf8'), path);
  const [der] = ders;
  if (der === undefined || ders.length !== 1) {
    throw new GatewayError('ENLACE_PKI_MATERIAL_INVALID', `${path} must hold one certificate`);
  }
  return parseOrRefuse(der, path);
}

/** The gateway's CA, or undefined when `pki init` was never run for this data folder. */
export async function loadGatewayCa(dataDir: string): Promise<GatewayCa | undefined> {
  const dir = pkiDir(dataDir);
  const issuingCertPath = join(dir, PKI_FILES.issuingCert);
  if (!(await exists(issuingCertPath))) return undefined;

  const root = await readCertificate(join(dir, PKI_FILES.rootCert));
  const issuing = await readCertificate(issuingCertPath);
  const keyPem = await readPrivateFile(join(dir, PKI_FILES.issuingKey));
  // Why: a key that does not match the certificate would issue certificates nobody can validate.
  const keyMatches = createPublicKey(createPrivateKey(keyPem))
    .export({ type: 'spki', format: 'der' })
    .equals(issuing.node.publicKey.export({ type: 'spki', format: 'der' }));
  if (!keyMatches || !issuing.isCa || !isIssuedBy(issuing, root)) {
    throw new GatewayError(
      'ENLACE_PKI_MATERIAL_INVALID',
      `the CA files in ${dir} do not belong together (issuing key, issuing and root certificates)`,
    );
  }
  const issuingKey = await subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(keyPem),
    ISSUING_CA_ALGORITHM,
    false,
    ['sign'],
  );
  const ski = issuing.peculiar.getExtension(x509.SubjectKeyIdentifierExtension);
  const issuingKeyId =
    ski?.keyId ??
    (await x509.SubjectKeyIdentifierExtension.create(issuing.peculiar.publicKey)).keyId;
  return { root, issuing, issuingKey, issuingKeyId };
}
