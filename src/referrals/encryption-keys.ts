// Finds the public key a partner registered to receive encrypted referrals with (`partner_encryption_key`).
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { GatewayError } from '../kernel/index.js';
import type { Database } from '../store/index.js';

/**
 * The partner's newest registered encryption JWK, or undefined when it registered none. Ties on
 * `created_at` fall back to the `kid`, so every instance picks the same key.
 */
export async function findEncryptionKey(
  db: Kysely<Database>,
  partnerId: string,
): Promise<JWK | undefined> {
  const row = await db
    .selectFrom('partner_encryption_key')
    .select(['kid', 'jwk'])
    .where('partner_id', '=', partnerId)
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const jwk = JSON.parse(row.jwk) as JWK;
  return { ...jwk, kid: jwk.kid ?? row.kid };
}

/** Like findEncryptionKey, but refuses with ENLACE_RECIPIENT_KEY_MISSING when there is none. */
export async function requireEncryptionKey(db: Kysely<Database>, partnerId: string): Promise<JWK> {
  const jwk = await findEncryptionKey(db, partnerId);
  // Why: without the recipient's own key the content could only leave in plaintext, which it never does.
  if (jwk === undefined) {
    throw new GatewayError(
      'ENLACE_RECIPIENT_KEY_MISSING',
      'Your institution has no encryption key registered; referrals are only released encrypted to it.',
    );
  }
  return jwk;
}
