// Imports partners' public JWKs once and keeps them, keyed by RFC 7638 thumbprint and algorithm.
import { calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from 'jose';

/** Public members a JWK may carry (RFC 7518 §6); anything else is private or irrelevant to import. */
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

/** Private members: a "public" key holding one of these is someone's private key, leaked. */
export const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export interface PublicKeyCache {
  /** The imported key for `jwk` used with `alg`; imported on first use only. */
  importKey(jwk: JWK, alg: string): Promise<CryptoKey>;
  /** Keys held now. */
  readonly size: number;
  /** Imports performed since creation (a cache hit performs none). */
  readonly imports: number;
}

/**
 * A bounded least-recently-used cache. Why the thumbprint: it names the key material itself, so a
 * `kid` reused for a new key can never return the old one.
 */
export function createPublicKeyCache(maxEntries = 256): PublicKeyCache {
  const entries = new Map<string, Promise<CryptoKey>>();
  let imports = 0;
  return {
    get size() {
      return entries.size;
    },
    get imports() {
      return imports;
    },
    async importKey(jwk: JWK, alg: string): Promise<CryptoKey> {
      const publicJwk = publicMembers(jwk);
      const id = `${alg} ${await calculateJwkThumbprint(publicJwk)}`;
      const cached = entries.get(id);
      if (cached !== undefined) {
        entries.delete(id);
        entries.set(id, cached);
        return cached;
      }
      imports += 1;
      const pending = importPublic(publicJwk, alg);
      entries.set(id, pending);
      // A failed import is not remembered, so a corrected registration is tried afresh.
      pending.catch(() => entries.delete(id));
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      return pending;
    },
  };
}

/** Copies only the public members, refusing a JWK that holds private ones. */
export function publicMembers(jwk: JWK): JWK {
  for (const member of PRIVATE_MEMBERS) {
    if (Object.hasOwn(jwk, member)) throw new Error(`the key holds the private member "${member}"`);
  }
  const copy: JWK = {};
  for (const member of PUBLIC_MEMBERS) {
    const value = jwk[member];
    if (typeof value === 'string') copy[member] = value;
  }
  return copy;
}

async function importPublic(jwk: JWK, alg: string): Promise<CryptoKey> {
  const key = await importJWK(jwk, alg);
  if (key instanceof Uint8Array) throw new Error('the key is not an asymmetric public key');
  return key;
}
