// The public key a partner registered to receive encrypted messages with.
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.js';

/** Finds the key to encrypt to for a partner; undefined when it registered none. */
export type RecipientKeyLookup = (
  db: Kysely<Database>,
  partnerId: string,
) => Promise<JWK | undefined>;

/** The newest key in `partner_encryption_key` (a partner rotates by adding a key). */
export const findRecipientKey: RecipientKeyLookup = async (db, partnerId) => {
  const row = await db
    .selectFrom('partner_encryption_key')
    .select('jwk')
    .where('partner_id', '=', partnerId)
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .executeTakeFirst();
  return row === undefined ? undefined : (JSON.parse(row.jwk) as JWK);
};
