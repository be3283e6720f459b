// Sign-in step one: username and password; answers an mfa_token that only a TOTP code can turn into a session.
import type { PeopleContext } from './people-context.js';
import { toUsername } from './person-policy.js';
import { findPersonByUsername } from './person-repository.js';
import { lockedUntil } from './lockout.js';
import { refuseLocked, refuseSignIn } from './refuse-sign-in.js';
import type { PasswordStepRequest } from './sign-in-requests.js';
import { findNameLock } from './sign-in-name-repository.js';

export interface MfaChallenge {
  readonly mfaToken: string;
  /** Seconds the mfa_token stays valid. */
  readonly expiresIn: number;
}

/** The audit log's name for a submitted username that is not even well-formed. */
export const MALFORMED_USERNAME = '(malformed username)';

export async function startSignIn(
  ctx: PeopleContext,
  request: PasswordStepRequest,
  requestId?: string,
): Promise<MfaChallenge> {
  const username = toUsername(request.username);
  // Why both lookups whatever the name: a known name and an unknown one cost the same queries.
  const [account, nameLock] =
    username === undefined
      ? [undefined, undefined]
      : await Promise.all([
          findPersonByUsername(ctx.store.db, username),
          findNameLock(ctx.store.db, username),
        ]);
  const auditName = username ?? MALFORMED_USERNAME;

  const lockState = account ?? nameLock;
  const lockEnd = lockState === undefined ? undefined : lockedUntil(lockState, ctx.clock());
  if (lockEnd !== undefined) {
    // Why: while locked no password is checked at all, so guessing cannot go on during the lock;
    // an unknown name is locked by the same rule, so a lock tells nothing of the name.
    throw await refuseLocked(ctx, auditName, lockEnd, requestId);
  }

  // Why: an unknown user costs the same scrypt work as a known one and gets the same answer, so
  // neither the reply nor its timing tells whether the username exists.
  const matches = await ctx.checkPassword(
    request.password,
    account?.passwordHash ?? (await ctx.dummyHash()),
  );
  if (account !== undefined && matches && account.status === 'enabled') {
    const issued = await ctx.tokens.issueMfaToken(account.id);
    return { mfaToken: issued.token, expiresIn: issued.expiresIn };
  }
  throw await refuseSignIn(ctx, {
    account,
    username: auditName,
    unknownName: account === undefined ? username : undefined,
    reason:
      account === undefined
        ? 'unknown username'
        : account.status === 'enabled'
          ? 'wrong password'
          : 'account disabled',
    requestId,
  });
}
