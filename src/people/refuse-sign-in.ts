// Records a failed sign-in step (count, lock, audit) in one transaction and returns the refusal to answer.
import type { GatewayError } from '../kernel/index.js';
import { buildAccountChangeAudit, buildSignInAudit } from './people-audit.js';
import type { PeopleContext } from './people-context.js';
import type { PersonAccount } from './person.js';
import { lockEndingAt, lockedUntil, MAX_FAILED_ATTEMPTS, reachesLockout } from './lockout.js';
import { lockPerson, recordFailedAttempt } from './person-repository.js';
import { accountLocked, signInFailed } from './sign-in-errors.js';

export interface FailedStep {
  /** The account the attempt named, when it exists. */
  readonly account: PersonAccount | undefined;
  /** The username for the audit record (the submitted one when no account matched). */
  readonly username: string;
  /** Why it failed, for auditors only; the client always gets the uniform message. */
  readonly reason: string;
  readonly requestId: string | undefined;
}

export async function refuseSignIn(ctx: PeopleContext, step: FailedStep): Promise<GatewayError> {
  const now = ctx.clock();
  return ctx.store.transaction(async (unit) => {
    let lockEnd: Date | undefined;
    let startsLock = false;
    if (step.account !== undefined) {
      const count = await recordFailedAttempt(unit.db, step.account.id, now);
      lockEnd = lockedUntil(count, now);
      // Why: counting password and TOTP failures together stops an attacker who knows the
      // password from guessing codes without limit.
      if (lockEnd === undefined && reachesLockout(count.failedAttempts)) {
        lockEnd = lockEndingAt(now);
        startsLock = true;
        await lockPerson(unit.db, step.account.id, lockEnd, now);
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
          description: `account locked until ${lockEnd.toISOString()} after ${MAX_FAILED_ATTEMPTS} consecutive failed sign-ins`,
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
