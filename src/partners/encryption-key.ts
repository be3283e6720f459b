// A partner's public key for receiving encrypted messages: checked once at registration, stored for delivery.
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import { keyManagementFor, publicMembers } from '../crypto/index.js';
import { GatewayError } from '../kernel/index.js';
import type { Database } from '../store/index.js';

/** Refuses keys the gateway could not encrypt to; returns the public JWK with `use: enc` and a kid. */
export async function checkEncryptionKey(value: unknown): Promise<JWK> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError('ENLACE_PARTNER_INVALID', 'The encryption key must be a JWK object.', {
      expression: ['encryptionKey'],
    });
  }
  const jwk = value as JWK;
  try {
    keyManagementFor(jwk);
  } catch (cause) {
    throw new GatewayError(
      'ENLACE_PARTNER_INVALID',
      `The encryption key is not usable: ${cause instanceof Error ? cause.message : 'refused'}`,
      { cause, expression: ['encryptionKey'] },
    );
  }
  const publicKey = publicMembers(jwk);
  const kid = typeof jwk.kid === 'string' ? jwk.kid : await calculateJwkThumbprint(publicKey);
  return { ...publicKey, kid, use: 'enc' };
}

export async function insertEncryptionKey(
  db: Kysely<Database>,
  partnerId: string,
  jwk: JWK,
  at: string,
): Promise<void> {
  await db
    .insertInto('partner_encryption_key')
    .values({ partner_id: partnerId, kid: jwk.kid ?? '', jwk: JSON.stringify(jwk), created_at: at })
    .execute();
}
