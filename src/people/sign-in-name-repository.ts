// Failed sign-ins under names that are no account: counted, locked and forgotten exactly as an account's are.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import { FAILURE_MEMORY_MS } from './lockout.js';
import type { PersonAccount } from './person.js';
import type { FailureCount } from './person-repository.js';

/** Why hashed: people type passwords into the name field; the counter needs no readable name. */
const nameHashOf = (username: string): string =>
  createHash('sha256').update(username, 'utf8').digest('hex');

/** The running lock of a name that is no account, shaped as an account's; undefined when never counted. */
export async function findNameLock(
  db: Kysely<Database>,
  username: string,
): Promise<Pick<PersonAccount, 'lockedUntil'> | undefined> {
  const row = await db
    .selectFrom('sign_in_name')
    .select('locked_until')
    .where('name_hash', '=', nameHashOf(username))
    .executeTakeFirst();
  return row === undefined ? undefined : { lockedUntil: row.locked_until };
}

/** Counts one failed step under the name, by the rule recordFailedAttempt applies to accounts. */
export async function recordNameFailure(
  db: Kysely<Database>,
  username: string,
  now: Date,
): Promise<FailureCount> {
  const nowMs = now.getTime();
  // Why one upsert: concurrent guesses on several instances must each count, as for accounts.
  const row = await db
    .insertInto('sign_in_name')
    .values({
      name_hash: nameHashOf(username),
      failed_attempts: 1,
      locked_until: null,
      last_failed_at: nowMs,
    })
    .onConflict((conflict) =>
      conflict.column('name_hash').doUpdateSet((eb) => {
        const lockExpired = eb.and([
          eb('sign_in_name.locked_until', 'is not', null),
          eb('sign_in_name.locked_until', '<=', nowMs),
        ]);
        const startsAfresh = eb.or([
          lockExpired,
          eb('sign_in_name.last_failed_at', '<=', nowMs - FAILURE_MEMORY_MS),
        ]);
        return {
          failed_attempts: eb
            .case()
            .when(startsAfresh)
            .then(1)
            .else(eb('sign_in_name.failed_attempts', '+', 1))
            .end(),
          locked_until: eb
            .case()
            .when(lockExpired)
            .then(null)
            .else(eb.ref('sign_in_name.locked_until'))
            .end(),
          last_failed_at: nowMs,
        };
      }),
    )
    .returning(['failed_attempts', 'locked_until'])
    .executeTakeFirstOrThrow();
  return { failedAttempts: row.failed_attempts, lockedUntil: row.locked_until };
}

/** Locks the name until `until` unless a lock is already running. */
export async function lockName(
  db: Kysely<Database>,
  username: string,
  until: Date,
  now: Date,
): Promise<void> {
  await db
    .updateTable('sign_in_name')
    .set({ locked_until: until.getTime() })
    .where('name_hash', '=', nameHashOf(username))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now.getTime())]))
    .execute();
}

/**
 * Deletes the counts of names whose last failure no longer counts, so guessing names cannot grow
 * the table without bound. Run on every failed sign-in, known name or not, so both cost the same.
 */
export async function forgetStaleNames(db: Kysely<Database>, now: Date): Promise<void> {
  await db
    .deleteFrom('sign_in_name')
    .where('last_failed_at', '<=', now.getTime() - FAILURE_MEMORY_MS)
    .execute();
}
