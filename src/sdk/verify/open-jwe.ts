// Opens a JWE the gateway encrypted to this institution and parses its FHIR JSON strictly.
import type { Bundle } from '@medplum/fhirtypes';
import { compactDecrypt, type CryptoKey, type KeyObject } from 'jose';
import { decodeUtf8, parseStrictJson } from '../../kernel/index.js';
import { EnlaceVerificationError, type VerificationCheck } from '../errors.js';

export type DecryptionKey = CryptoKey | KeyObject;

/** Deep enough for a delivered collection: Bundle → entry → message Bundle → entry → resource → … */
const MAX_DEPTH = 64;

/**
 * Why strict parsing: a duplicated member would let this SDK and another reader of the same
 * plaintext see two different Bundles, and only one of them is what the signatures cover.
 */
export async function openJwe(
  jwe: string,
  key: DecryptionKey,
  check: VerificationCheck,
): Promise<Bundle> {
  let value: unknown;
  try {
    const { plaintext } = await compactDecrypt(jwe.trim(), key, {
      keyManagementAlgorithms: ['ECDH-ES+A256KW', 'RSA-OAEP-256'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    value = parseStrictJson(decodeUtf8(plaintext), { maxDepth: MAX_DEPTH });
  } catch (cause) {
    throw new EnlaceVerificationError('decryption', { cause });
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    (value as { resourceType?: unknown }).resourceType !== 'Bundle'
  ) {
    throw new EnlaceVerificationError(check, { cause: new Error('the plaintext is not a Bundle') });
  }
  return value as Bundle;
}
