// Turns a session token into a PersonPrincipal, re-reading the account so a lock or disable takes effect at once.
import type { PersonPrincipal } from '../kernel/index.js';
import type { PeopleContext } from './people-context.js';
import type { VerifiedToken } from './person-tokens.js';
import { findPersonById } from './person-repository.js';
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
  const account = await findPersonById(ctx.store.db, claims.subject);
  // Why: a token outlives decisions made after it was issued; a disabled or locked account, or
  // one whose role changed, must stop working before the token expires.
  if (
    account === undefined ||
    account.status !== 'enabled' ||
    lockedUntil(account, ctx.clock()) !== undefined ||
    account.role !== claims.role
  ) {
    throw personTokenInvalid();
  }
  return {
    kind: 'person',
    userId: account.id,
    username: account.username,
    role: account.role,
    tokenId: claims.tokenId,
  };
}
