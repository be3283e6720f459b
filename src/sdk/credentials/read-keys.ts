// Reads a partner's keys from files: a PEM or JWK private key, and for certificates the PEM chain that becomes `x5c`.
import {
  createPrivateKey,
  createPublicKey,
  X509Certificate,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SigningKey } from '../auth/signing-key.js';

export interface SigningKeyFiles {
  /** PEM (PKCS#8, SEC1 or PKCS#1) or a private JWK in JSON. */
  readonly key: string;
  /** PEM chain, leaf first (the certificate the operator issued, then the issuing CA): signs with `x5c`. */
  readonly certificate?: string;
  /** The registered key's `kid`, when it signs by `kid` (a JWK's own `kid` is used otherwise). */
  readonly kid?: string;
  /** Defaults from the key: ES256, ES384, ES512, EdDSA, or PS256 for RSA. */
  readonly alg?: string;
}

const CURVE_ALGORITHMS: Readonly<Record<string, string>> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

async function readPrivateKey(
  path: string,
): Promise<{ key: KeyObject; kid?: string; alg?: string }> {
  const text = await readFile(path, 'utf8');
  if (text.trimStart().startsWith('{')) {
    const jwk = JSON.parse(text) as JsonWebKey & { kid?: unknown; alg?: unknown };
    if (jwk.d === undefined) throw new TypeError(`${path} holds a public key, not a private one`);
    return {
      key: createPrivateKey({ key: jwk, format: 'jwk' }),
      ...(typeof jwk.kid === 'string' ? { kid: jwk.kid } : {}),
      ...(typeof jwk.alg === 'string' ? { alg: jwk.alg } : {}),
    };
  }
  return { key: createPrivateKey(text) };
}

function algorithmOf(key: KeyObject): string {
  const type = key.asymmetricKeyType;
  if (type === 'ec') {
    const alg = CURVE_ALGORITHMS[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (alg !== undefined) return alg;
  }
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'rsa' || type === 'rsa-pss') return 'PS256';
  throw new TypeError(`a ${type ?? 'unknown'} key cannot sign for Enlace`);
}

/** The `x5c` of a PEM chain; the leaf must hold the public half of `key`, or nothing would verify. */
async function readChain(path: string, key: KeyObject): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  const blocks = [
    ...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g),
  ];
  const chain = blocks.map((block) => (block[1] ?? '').replace(/\s+/g, ''));
  const leaf = chain[0];
  if (leaf === undefined) throw new TypeError(`${path} holds no certificate`);
  const certified = new X509Certificate(Buffer.from(leaf, 'base64')).publicKey;
  const own = createPublicKey(key).export({ format: 'der', type: 'spki' });
  if (!certified.export({ format: 'der', type: 'spki' }).equals(own)) {
    throw new TypeError(`the first certificate of ${path} is not for this key`);
  }
  return chain;
}

export async function readSigningKey(files: SigningKeyFiles): Promise<SigningKey> {
  const { key, kid, alg } = await readPrivateKey(files.key);
  const algorithm = files.alg ?? alg ?? algorithmOf(key);
  if (files.certificate !== undefined) {
    return { privateKey: key, alg: algorithm, x5c: await readChain(files.certificate, key) };
  }
  const name = files.kid ?? kid;
  if (name === undefined)
    throw new TypeError(`${files.key}: give the registered kid, or a certificate`);
  return { privateKey: key, alg: algorithm, kid: name };
}

/** The private half of the institution's registered encryption key (PEM or JWK). */
export async function readDecryptionKey(path: string): Promise<KeyObject> {
  return (await readPrivateKey(path)).key;
}
