// The person_session table: a row per session token, so sign-out and an operator's revocation end it on every instance.
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import { toPersonAccount, type PersonAccount } from './person.js';

/** How long after expiry a session row is kept (clock tolerance between instances, then some). */
const KEEP_EXPIRED_MS = 60 * 60 * 1000;

export interface SessionRow {
  readonly id: string;
  readonly personId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

/** Records a new session and deletes this person's sessions that expired a while ago. */
export async function insertSession(db: Kysely<Database>, session: SessionRow): Promise<void> {
  await db
    .deleteFrom('person_session')
    .where('person_id', '=', session.personId)
    .where('expires_at', '<', session.issuedAt.getTime() - KEEP_EXPIRED_MS)
    .execute();
  await db
    .insertInto('person_session')
    .values({
      id: session.id,
      person_id: session.personId,
      issued_at: session.issuedAt.toISOString(),
      expires_at: session.expiresAt.getTime(),
      revoked_at: null,
    })
    .execute();
}

/** The account of a session that was issued and not ended, or undefined; one query. */
export async function findLiveSessionAccount(
  db: Kysely<Database>,
  sessionId: string,
): Promise<PersonAccount | undefined> {
  const row = await db
    .selectFrom('person_session')
    .innerJoin('person', 'person.id', 'person_session.person_id')
    .selectAll('person')
    .where('person_session.id', '=', sessionId)
    .where('person_session.revoked_at', 'is', null)
    .executeTakeFirst();
  return row === undefined ? undefined : toPersonAccount(row);
}

/** Ends one session; resolves false when it was unknown or already ended. */
export async function revokeSession(
  db: Kysely<Database>,
  sessionId: string,
  personId: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('person_session')
    .set({ revoked_at: now.toISOString() })
    .where('id', '=', sessionId)
    .where('person_id', '=', personId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Ends every session of the person not yet ended; resolves how many. Why not only unexpired ones:
 * a verifier whose clock lags may still accept a token just past its exp, and ending it costs nothing.
 */
export async function revokeSessionsOf(
  db: Kysely<Database>,
  personId: string,
  now: Date,
): Promise<number> {
  const result = await db
    .updateTable('person_session')
    .set({ revoked_at: now.toISOString() })
    .where('person_id', '=', personId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
