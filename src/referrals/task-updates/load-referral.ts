// Finds a referral for one of its two parties, inside the caller's transaction; anyone else finds nothing.
import type { Kysely } from 'kysely';
import { GatewayError } from '../../kernel/index.js';
import type { Database } from '../../store/index.js';
import { findReferral } from '../referral-repository.js';
import type { ReferralRecord } from '../types.js';

/**
 * The referral if `partnerId` is its sender or recipient. Why one answer for "absent" and "not
 * yours": a third institution must not learn that a referral about someone exists.
 */
export async function loadVisibleReferral(
  db: Kysely<Database>,
  id: string,
  partnerId: string,
): Promise<ReferralRecord> {
  const record = await findReferral(db, id);
  if (record === undefined || (record.sender !== partnerId && record.recipient !== partnerId)) {
    throw referralNotFound(id);
  }
  return record;
}

export const referralNotFound = (id: string): GatewayError =>
  new GatewayError(
    'ENLACE_RESOURCE_NOT_FOUND',
    `No referral ${id.slice(0, 64)} is visible to you.`,
  );
