// The public keys a partner signs with, as the gateway publishes them for recipients: every key that works now, overlap windows included.
import { createHash, X509Certificate } from 'node:crypto';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { GatewayError } from '../kernel/index.js';
import type { Database } from '../store/index.js';
import { isKeyActive } from './key-overlap.js';
import type { ClientKey } from './partner.js';
import { findPartner, listClientKeys } from './partner-repository.js';

/** The public members of each key type (RFC 7518 §6, RFC 8037 §2); nothing else is published. */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly (keyof JWK)[]>> = {
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
  RSA: ['kty', 'n', 'e'],
};

export interface PartnerJwks {
  readonly keys: readonly JWK[];
}

/**
 * Why the gateway publishes them: a recipient must be able to verify the sender's signature on
 * the message it received without trusting the gateway's word for it. A key appears from the
 * moment it is registered and disappears when its window ends, as the gateway's own checks do.
 */
export async function readPartnerJwks(
  db: Kysely<Database>,
  partnerId: string,
  at: Date,
): Promise<PartnerJwks> {
  if ((await findPartner(db, partnerId)) === undefined) {
    throw new GatewayError(
      'ENLACE_PARTNER_NOT_FOUND',
      `No partner has the id ${partnerId.slice(0, 64)}.`,
    );
  }
  const keys = await listClientKeys(db, partnerId);
  return { keys: keys.filter((key) => isKeyActive(key, at)).flatMap(toPublishedJwk) };
}

function toPublishedJwk(key: ClientKey): JWK[] {
  if (key.kind === 'jwk') {
    const members = key.jwk.kty === undefined ? undefined : PUBLIC_MEMBERS[key.jwk.kty];
    if (members === undefined) return [];
    return [{ ...pick(key.jwk, [...members, 'alg']), kid: key.kid, use: 'sig' }];
  }
  // A certificate bound before the gateway kept certificates is known by fingerprint only; its
  // signatures carry the chain (x5c) and verify against the network's anchors, not this set.
  if (key.certificate === undefined) return [];
  const der = Buffer.from(key.certificate, 'base64');
  const publicJwk = new X509Certificate(der).publicKey.export({ format: 'jwk' }) as JWK;
  const members = publicJwk.kty === undefined ? undefined : PUBLIC_MEMBERS[publicJwk.kty];
  if (members === undefined) return [];
  return [
    {
      ...pick(publicJwk, members),
      use: 'sig',
      x5c: [key.certificate],
      'x5t#S256': createHash('sha256').update(der).digest('base64url'),
    },
  ];
}

function pick(jwk: JWK, members: readonly (keyof JWK)[]): JWK {
  const out: JWK = {};
  for (const member of members) {
    const value = jwk[member];
    if (typeof value === 'string') Object.assign(out, { [member]: value });
  }
  return out;
}
