// Who may ask for her report: auditors, and the institutions holding an open referral for her.
import type { Kysely } from 'kysely';
import { GatewayError, type Principal } from '../kernel/index.js';
import type { ReferralStatus } from '../referrals/index.js';
import type { Database } from '../store/index.js';

/** Referral statuses after which an institution no longer serves her (see task-workflow isFinal). */
export const CLOSED_STATUSES: readonly ReferralStatus[] = [
  'completed',
  'failed',
  'rejected',
  'cancelled',
];

/**
 * One answer for "no such survivor" and "not yours", worded the same and given after the same
 * query, so the refusal never tells an institution that a woman is known to the network.
 */
export const survivorNotFound = (): GatewayError =>
  new GatewayError(
    'ENLACE_RESOURCE_NOT_FOUND',
    'No survivor with an open referral at your institution matches this identifier.',
  );

/** Whether the partner is sender or recipient of a referral about her that is still open. */
export async function holdsOpenReferral(
  db: Kysely<Database>,
  pseudonyms: readonly string[],
  partnerId: string,
): Promise<boolean> {
  if (pseudonyms.length === 0) return false;
  const row = await db
    .selectFrom('referral')
    .select('id')
    .where('pseudonym', 'in', [...pseudonyms])
    .where((eb) => eb.or([eb('sender', '=', partnerId), eb('recipient', '=', partnerId)]))
    .where('status', 'not in', [...CLOSED_STATUSES])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Why these two: auditors oversee every survivor's record; an institution may hand her the report
 * only while it serves her, so a closed case or a stranger to her case learns nothing — not even
 * which institutions hold it, which could lead to the shelter she is in.
 */
export async function checkMayAsk(
  db: Kysely<Database>,
  principal: Principal,
  pseudonyms: readonly string[],
): Promise<void> {
  if (principal.kind === 'person') {
    if (principal.role === 'auditor') return;
    throw new GatewayError(
      'ENLACE_ROLE_INSUFFICIENT',
      'This report is for auditors and institutions serving her.',
    );
  }
  if (!(await holdsOpenReferral(db, pseudonyms, principal.partnerId))) throw survivorNotFound();
}
