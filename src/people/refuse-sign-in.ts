// Records a failed sign-in step (count, lock, audit) in one transaction and returns the refusal to answer; unknown names alike.
import type { GatewayError } from '../kernel/index.js';
import { buildAccountChangeAudit, buildSignInAudit } from './people-audit.js';
import type { PeopleContext } from './people-context.js';
import type { PersonAccount } from './person.js';
import { lockEndingAt, lockedUntil, MAX_FAILED_ATTEMPTS, reachesLockout } from './lockout.js';
import { lockPerson, recordFailedAttempt, type FailureCount } from './person-repository.js';
import { accountLocked, signInFailed } from './sign-in-errors.js';
import { forgetStaleNames, lockName, recordNameFailure } from './sign-in-name-repository.js';

export interface FailedStep {
  /** The account the attempt named, when it exists. */
  readonly account: PersonAccount | undefined;
  /** The username for the audit record (the submitted one when no account matched). */
  readonly username: string;
  /**
   * When no account matched: the well-formed name the failure is counted under, so an unknown
   * name is locked after as many failures as an account. Absent for a malformed name.
   */
  readonly unknownName?: string | undefined;
  /** Why it failed, for auditors only; the client always gets the uniform message. */
  readonly reason: string;
  readonly requestId: string | undefined;
}

export async function refuseSignIn(ctx: PeopleContext, step: FailedStep): Promise<GatewayError> {
  const now = ctx.clock();
  const { account, unknownName } = step;
  return ctx.store.transaction(async (unit) => {
    let lockEnd: Date | undefined;
    let startsLock = false;
    // Why the same steps for an unknown name as for an account (count, lock at the same threshold,
    // the same alert, the same clean-up): a lock, or its absence, must not tell that a name exists.
    let count: FailureCount | undefined;
    if (account !== undefined) count = await recordFailedAttempt(unit.db, account.id, now);
    else if (unknownName !== undefined) count = await recordNameFailure(unit.db, unknownName, now);
    await forgetStaleNames(unit.db, now);
    if (count !== undefined) {
      lockEnd = lockedUntil(count, now);
      // Why: counting password and TOTP failures together stops an attacker who knows the
      // password from guessing codes without limit.
      if (lockEnd === undefined && reachesLockout(count.failedAttempts)) {
        lockEnd = lockEndingAt(now);
        startsLock = true;
        if (account !== undefined) await lockPerson(unit.db, account.id, lockEnd, now);
        else if (unknownName !== undefined) await lockName(unit.db, unknownName, lockEnd, now);
      }
    }
    const failed = signInFailed();
    await unit.audit.append(
      buildSignInAudit({
        username: step.username,
        success: false,
        detail: `${failed.code}: ${step.reason}`,
        recorded: now,
        requestId: step.requestId,
      }),
    );
    if (startsLock && lockEnd !== undefined) {
      await unit.audit.append(
        buildAccountChangeAudit({
          username: step.username,
          actor: undefined,
          action: 'U',
          description: `${account === undefined ? 'sign-in name (no such account)' : 'account'} locked until ${lockEnd.toISOString()} after ${String(MAX_FAILED_ATTEMPTS)} consecutive failed sign-ins`,
          recorded: now,
          requestId: step.requestId,
        }),
      );
    }
    return lockEnd === undefined ? failed : accountLocked(lockEnd, now);
  });
}

/** Audits an attempt on a locked account; nothing is counted, since no credential was checked. */
export async function refuseLocked(
  ctx: PeopleContext,
  username: string,
  until: Date,
  requestId: string | undefined,
): Promise<GatewayError> {
  const now = ctx.clock();
  const refusal = accountLocked(until, now);
  await ctx.store.audit.append(
    buildSignInAudit({
      username,
      success: false,
      detail: `${refusal.code}: account locked until ${until.toISOString()}`,
      recorded: now,
      requestId,
    }),
  );
  return refusal;
}
