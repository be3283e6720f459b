// Reads an operator-supplied PKCS#10 CSR: one PEM block, a valid self-signature and an allowed key.
import { createPublicKey } from 'node:crypto';
import { GatewayError } from '../kernel/index.js';
import { describeRefusedKey } from './key-policy.js';
import { MAX_CSR_PEM_CHARS } from './pki-constants.js';
import { x509 } from './x509.js';

const CSR_TYPES = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);

const refuse = (message: string, cause?: unknown): GatewayError =>
  new GatewayError('ENLACE_CSR_INVALID', message, cause === undefined ? {} : { cause });

/** The CSR's public key, once the request proves possession of the matching private key. */
export async function readCsrPublicKey(csrPem: string): Promise<x509.PublicKey> {
  if (csrPem.length === 0 || csrPem.length > MAX_CSR_PEM_CHARS) {
    throw refuse(`the CSR must be a PEM text of at most ${MAX_CSR_PEM_CHARS} characters`);
  }
  let blocks: x509.PemStruct[];
  try {
    blocks = x509.PemConverter.decodeWithHeaders(csrPem);
  } catch (error) {
    throw refuse('the CSR is not PEM', error);
  }
  const [block] = blocks;
  if (block === undefined || blocks.length !== 1 || !CSR_TYPES.has(block.type)) {
    throw refuse('the CSR must be exactly one CERTIFICATE REQUEST PEM block');
  }
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(block.rawData);
  } catch (error) {
    throw refuse('the CSR is not a PKCS#10 certification request', error);
  }
  const refused = describeRefusedKey(
    createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' }),
    'partner',
  );
  if (refused !== undefined) throw refuse(`the CSR key is refused: ${refused}`);
  // Why: the self-signature proves the requester holds the private key; without it anybody
  // could get a certificate for a public key they took from someone else.
  const verified = await csr.verify().catch(() => false);
  if (!verified) throw refuse('the CSR self-signature does not verify');
  return csr.publicKey;
}
