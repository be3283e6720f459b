// Envelope encryption at rest: each record a compact JWE (A256KW-wrapped fresh data key, A256GCM), bound to its id.
import { createHash, timingSafeEqual, webcrypto } from 'node:crypto';
import { base64url, compactDecrypt, CompactEncrypt } from 'jose';
import { GatewayError } from '../kernel/index.js';
import { checkDataKeySet, type DataKeySet } from './data-keys.js';
import { decodeProtectedHeader, isBase64url } from './jose-header.js';

export interface SealedRecord {
  /** The KEK the record's data key is wrapped with; store it next to the blob for rotation. */
  readonly keyId: string;
  /** A compact JWE: `<header>.<wrapped data key>.<iv>.<ciphertext>.<tag>`. */
  readonly blob: string;
}

export interface PayloadVault {
  /** The KEK id new records are sealed under. */
  readonly currentKeyId: string;
  seal(plaintext: Uint8Array | string, aad: Uint8Array | string): Promise<SealedRecord>;
  /** The plaintext, or ENLACE_SEALED_RECORD_UNREADABLE when the blob, the aad or the key does not fit. */
  open(blob: string, aad: Uint8Array | string): Promise<Uint8Array>;
}

const ALG = 'A256KW';
const ENC = 'A256GCM';
/** Private header parameter: base64url SHA-256 of the record's aad (its id), authenticated by GCM. */
const CONTEXT = 'ctx';
const MAX_HEADER_LENGTH = 1024;

/**
 * Why a JWE: it is exactly the envelope DESIGN.md asks for — jose draws a fresh random 256-bit data
 * key and a random 96-bit IV per record, encrypts with AES-256-GCM and wraps the data key with the
 * KEK by AES key wrap (RFC 3394) — in a standard, documented format. The compact form has no
 * separate AAD, so the record binding goes in the protected header, which GCM authenticates: a
 * blob copied to another record fails, and so does any edit of its header.
 */
export async function createPayloadVault(keySet: DataKeySet): Promise<PayloadVault> {
  checkDataKeySet(keySet);
  // Keys are imported once, as non-extractable AES-KW keys, never per record.
  const keks = new Map<string, webcrypto.CryptoKey>();
  for (const { id, key } of keySet.keks) {
    keks.set(
      id,
      await webcrypto.subtle.importKey('raw', key, 'AES-KW', false, ['wrapKey', 'unwrapKey']),
    );
  }
  const currentKeyId = keySet.current;
  const current = keks.get(currentKeyId);
  if (current === undefined) throw new Error('the current data key is missing');
  return {
    currentKeyId,
    async seal(plaintext, aad) {
      const bytes = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext;
      const blob = await new CompactEncrypt(bytes)
        .setProtectedHeader({ alg: ALG, enc: ENC, kid: currentKeyId, [CONTEXT]: contextOf(aad) })
        .encrypt(current);
      return { keyId: currentKeyId, blob };
    },
    async open(blob, aad) {
      try {
        const kek = keks.get(checkHeader(blob, contextOf(aad)));
        if (kek === undefined) throw new Error('the record names an unknown key');
        const { plaintext } = await compactDecrypt(blob, kek, {
          keyManagementAlgorithms: [ALG],
          contentEncryptionAlgorithms: [ENC],
        });
        return plaintext;
      } catch (cause) {
        // Why: a record that does not open is tampering or a lost key — the gateway's fault, never
        // the client's, and its details belong in the log only.
        throw new GatewayError(
          'ENLACE_SEALED_RECORD_UNREADABLE',
          'A stored record could not be opened.',
          {
            cause,
          },
        );
      }
    },
  };
}

/** Checks the header's algorithms and record binding before any key is used; returns its `kid`. */
function checkHeader(blob: string, expectedContext: string): string {
  const parts = blob.split('.');
  const encoded = parts[0];
  if (parts.length !== 5 || encoded === undefined || !parts.every(isBase64url)) {
    throw new Error('the record is not a compact JWE');
  }
  const header = decodeProtectedHeader(encoded, MAX_HEADER_LENGTH);
  if (header.alg !== ALG || header.enc !== ENC) throw new Error('the record uses other algorithms');
  const context = header[CONTEXT];
  // Why: the record id the caller expects must be the one sealed in; GCM then proves the header.
  if (typeof context !== 'string' || !sameText(context, expectedContext)) {
    throw new Error('the record was sealed for another context');
  }
  if (typeof header.kid !== 'string') throw new Error('the record names no key');
  return header.kid;
}

function contextOf(aad: Uint8Array | string): string {
  return base64url.encode(createHash('sha256').update(aad).digest());
}

const sameText = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
