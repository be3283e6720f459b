// Turns a session token into a PersonPrincipal, re-reading its session and account so sign-out, revocation, a lock or disable take effect at once.
import type { PersonPrincipal } from '../kernel/index.js';
import type { PeopleContext } from './people-context.js';
import type { VerifiedToken } from './person-tokens.js';
import { findLiveSessionAccount } from './session-repository.js';
import { lockedUntil } from './lockout.js';
import { personTokenInvalid } from './sign-in-errors.js';

export async function verifyPersonToken(
  ctx: PeopleContext,
  token: string,
): Promise<PersonPrincipal> {
  let claims: VerifiedToken;
  try {
    claims = await ctx.tokens.verifySessionToken(token);
  } catch (cause) {
    throw personTokenInvalid(cause);
  }
  // Why the session row, on every request: a signed-out or revoked session, a disabled or locked
  // account, or one whose role changed, must stop working at once, not when the token expires.
  const account = await findLiveSessionAccount(ctx.store.db, claims.tokenId);
  if (account === undefined || account.id !== claims.subject) {
    throw personTokenInvalid(new Error('session signed out, revoked or unknown'));
  }
  if (
    account.status !== 'enabled' ||
    lockedUntil(account, ctx.clock()) !== undefined ||
    account.role !== claims.role
  ) {
    throw personTokenInvalid(new Error('account disabled, locked or its role changed'));
  }
  return {
    kind: 'person',
    userId: account.id,
    username: account.username,
    role: account.role,
    tokenId: claims.tokenId,
  };
}
