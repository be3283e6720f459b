// The person table over kysely: lookups, and the atomic updates that count failures and accept sign-ins.
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import { FAILURE_MEMORY_MS } from './lockout.js';
import { toPersonAccount, type PersonAccount } from './person.js';

export async function findPersonByUsername(
  db: Kysely<Database>,
  username: string,
): Promise<PersonAccount | undefined> {
  const row = await db
    .selectFrom('person')
    .selectAll()
    .where('username', '=', username)
    .executeTakeFirst();
  return row === undefined ? undefined : toPersonAccount(row);
}

export async function findPersonById(
  db: Kysely<Database>,
  id: string,
): Promise<PersonAccount | undefined> {
  const row = await db.selectFrom('person').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toPersonAccount(row);
}

/** Inserts the row; resolves false when the username is taken (the unique index decides). */
export async function insertPerson(
  db: Kysely<Database>,
  row: Database['person'],
): Promise<boolean> {
  const result = await db
    .insertInto('person')
    .values(row)
    .onConflict((conflict) => conflict.column('username').doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export interface FailureCount {
  readonly failedAttempts: number;
  readonly lockedUntil: number | null;
}

/**
 * Counts one failed step and returns the new state. A lock that has run out, or a last failure
 * older than FAILURE_MEMORY_MS, starts the count afresh, exactly as for names that are no account
 * (sign-in-name-repository.ts).
 */
export async function recordFailedAttempt(
  db: Kysely<Database>,
  id: string,
  now: Date,
): Promise<FailureCount> {
  const nowMs = now.getTime();
  // Why: one UPDATE increments in the database, so concurrent wrong guesses on several instances
  // can never overwrite each other's count and slip past the lockout.
  const row = await db
    .updateTable('person')
    .set((eb) => {
      const lockExpired = eb.and([
        eb('locked_until', 'is not', null),
        eb('locked_until', '<=', nowMs),
      ]);
      const startsAfresh = eb.or([
        lockExpired,
        eb('last_failed_at', '<=', nowMs - FAILURE_MEMORY_MS),
      ]);
      return {
        failed_attempts: eb
          .case()
          .when(startsAfresh)
          .then(1)
          .else(eb('failed_attempts', '+', 1))
          .end(),
        locked_until: eb.case().when(lockExpired).then(null).else(eb.ref('locked_until')).end(),
        last_failed_at: nowMs,
        updated_at: now.toISOString(),
      };
    })
    .where('id', '=', id)
    .returning(['failed_attempts', 'locked_until'])
    .executeTakeFirstOrThrow();
  return {
    failedAttempts: row.failed_attempts,
    lockedUntil: row.locked_until,
  };
}

/** Locks the account until `until` unless a lock is already running. */
export async function lockPerson(
  db: Kysely<Database>,
  id: string,
  until: Date,
  now: Date,
): Promise<void> {
  await db
    .updateTable('person')
    .set({ locked_until: until.getTime(), updated_at: now.toISOString() })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now.getTime())]))
    .execute();
}

/**
 * Accepts a completed sign-in: resets the failure count and records the TOTP step. Resolves false
 * when the account was disabled, locked, or had already accepted this step meanwhile.
 */
export async function recordSignIn(
  db: Kysely<Database>,
  id: string,
  step: number,
  now: Date,
): Promise<boolean> {
  // Why: the conditions are re-checked in the same statement that writes, so two requests racing
  // with one code (or one racing a lockout) cannot both succeed.
  const result = await db
    .updateTable('person')
    .set({
      failed_attempts: 0,
      locked_until: null,
      last_totp_step: step,
      updated_at: now.toISOString(),
    })
    .where('id', '=', id)
    .where('status', '=', 'enabled')
    .where((eb) =>
      eb.and([
        eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now.getTime())]),
        eb.or([eb('last_totp_step', 'is', null), eb('last_totp_step', '<', step)]),
      ]),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Clears the lock and the failure count; resolves false when no such account exists. */
export async function clearLock(db: Kysely<Database>, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('person')
    .set({ failed_attempts: 0, locked_until: null, updated_at: now.toISOString() })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function setPersonStatus(
  db: Kysely<Database>,
  id: string,
  status: 'enabled' | 'disabled',
  now: Date,
): Promise<void> {
  await db
    .updateTable('person')
    .set({ status, updated_at: now.toISOString() })
    .where('id', '=', id)
    .execute();
}
