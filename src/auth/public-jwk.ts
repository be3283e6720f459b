// Reduces a JWK to its public members by key type, so no private or symmetric material can pass through.
import type { JWK } from 'jose';
import { GatewayError } from '../kernel/index.js';

/** The public members of each asymmetric key type (RFC 7518 §6, RFC 8037 §2). */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly (keyof JWK)[]>> = {
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
  RSA: ['n', 'e'],
};

/** Metadata members that are safe to publish. */
const METADATA: readonly (keyof JWK)[] = ['kid', 'alg', 'use'];

/**
 * Why an allow-list of members rather than deleting d, p, q…: a member nobody thought of (`oth`,
 * `k`, a vendor extension) is dropped too. Symmetric (`oct`) and unknown key types are refused.
 */
export function toPublicJwk(jwk: JWK): JWK {
  const { kty } = jwk;
  const members = kty === undefined ? undefined : PUBLIC_MEMBERS[kty];
  if (kty === undefined || members === undefined) {
    throw new GatewayError('ENLACE_INTERNAL', 'a key of this type has no public form');
  }
  const out: JWK = { kty };
  for (const member of [...members, ...METADATA]) {
    const value = jwk[member];
    if (typeof value === 'string') Object.assign(out, { [member]: value });
  }
  return out;
}
