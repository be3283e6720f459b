// Ed25519 keys to and from their 32-byte RFC 8032 encodings, through node:crypto only.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { ED25519_KEY_BYTES } from './signature-type.js';

/** The fixed DER prefix of an Ed25519 PKCS#8 OneAsymmetricKey wrapping a 32-byte seed (RFC 8410 §7). */
const PKCS8_SEED_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const fromBase64Url = (text: string | undefined): Uint8Array | undefined => {
  if (text === undefined) return undefined;
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  return bytes.length === ED25519_KEY_BYTES ? bytes : undefined;
};

const isEd25519 = (key: KeyObject): boolean => key.asymmetricKeyType === 'ed25519';

/** A public KeyObject from the raw key, or undefined if node:crypto refuses it. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject | undefined {
  if (raw.length !== ED25519_KEY_BYTES) return undefined;
  try {
    const x = Buffer.from(raw).toString('base64url');
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

/**
 * A private KeyObject from the 32-byte seed. PKCS#8 rather than JWK because a JWK needs the public
 * `x`, which only the key itself can derive; the wrapper is a fixed ASN.1 header, no arithmetic.
 */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject | undefined {
  if (seed.length !== ED25519_KEY_BYTES) return undefined;
  try {
    const der = Buffer.concat([PKCS8_SEED_PREFIX, seed]);
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    return undefined;
  }
}

/** The raw 32-byte public key of an Ed25519 KeyObject (public or private). */
export function rawPublicKey(key: KeyObject): Uint8Array | undefined {
  if (!isEd25519(key)) return undefined;
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return fromBase64Url(publicKey.export({ format: 'jwk' }).x);
}

/** The raw 32-byte seed of a private Ed25519 KeyObject. */
export function rawSeed(key: KeyObject): Uint8Array | undefined {
  if (!isEd25519(key) || key.type !== 'private') return undefined;
  return fromBase64Url(key.export({ format: 'jwk' }).d);
}
