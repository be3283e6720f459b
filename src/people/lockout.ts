// The lockout rule: five consecutive failed steps lock an account (or a name that is no account) for fifteen minutes.
import type { PersonAccount } from './person.js';

export const MAX_FAILED_ATTEMPTS = 5;
export const LOCK_DURATION_MS = 15 * 60 * 1000;
/** A failed step older than this no longer counts towards a lock; an unknown name's count is then deleted. */
export const FAILURE_MEMORY_MS = 24 * 60 * 60 * 1000;

/** When the account's running lock ends, or undefined when it is not locked at `now`. */
export function lockedUntil(
  account: Pick<PersonAccount, 'lockedUntil'>,
  now: Date,
): Date | undefined {
  return account.lockedUntil !== null && account.lockedUntil > now.getTime()
    ? new Date(account.lockedUntil)
    : undefined;
}

/** Whether a failure count reached the threshold, and so must start a lock. */
export const reachesLockout = (failedAttempts: number): boolean =>
  failedAttempts >= MAX_FAILED_ATTEMPTS;

export const lockEndingAt = (now: Date): Date => new Date(now.getTime() + LOCK_DURATION_MS);
