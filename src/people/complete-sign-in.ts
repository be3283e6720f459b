// Sign-in step two: the mfa_token and a TOTP code; answers the session token, once per code.
import type { PersonRole } from '../kernel/index.js';
import { buildSignInAudit } from './people-audit.js';
import type { PeopleContext } from './people-context.js';
import type { PersonAccount } from './person.js';
import { findPersonById, recordSignIn } from './person-repository.js';
import { lockedUntil } from './lockout.js';
import { refuseLocked, refuseSignIn } from './refuse-sign-in.js';
import { insertSession } from './session-repository.js';
import type { CodeStepRequest } from './sign-in-requests.js';
import { signInExpired } from './sign-in-errors.js';
import { matchTotpStep } from './totp.js';

export interface PersonSession {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds the session token stays valid. */
  readonly expiresIn: number;
  readonly role: PersonRole;
}

const MFA_TOKEN_KEY = 'people:mfa-token:';

export async function completeSignIn(
  ctx: PeopleContext,
  request: CodeStepRequest,
  requestId?: string,
): Promise<PersonSession> {
  let subject: string;
  let mfaTokenId: string;
  let mfaExpiresAt: Date;
  try {
    ({
      subject,
      tokenId: mfaTokenId,
      expiresAt: mfaExpiresAt,
    } = await ctx.tokens.verifyMfaToken(request.mfaToken));
  } catch (cause) {
    throw signInExpired(cause);
  }
  const account = await findPersonById(ctx.store.db, subject);
  if (account === undefined) throw signInExpired();

  const lockEnd = lockedUntil(account, ctx.clock());
  if (lockEnd !== undefined) {
    // Why: a lock also stops the second step, or a known password would allow endless code guesses.
    throw await refuseLocked(ctx, account.username, lockEnd, requestId);
  }
  const now = ctx.clock();
  const secret = ctx.secrets.open(account.sealedTotpSecret, account.id);
  const step = matchTotpStep({
    code: request.code,
    secret,
    now,
    lastAcceptedStep: account.lastTotpStep,
  });
  if (step === undefined || account.status !== 'enabled') {
    throw await refuseSignIn(ctx, {
      account,
      username: account.username,
      reason: failureReason(account, request.code, secret, now),
      requestId,
    });
  }

  const session = await ctx.store.transaction(async (unit) => {
    // Why: an mfa_token is spent by the sign-in it completes; it cannot open a second session.
    // Remembered past its expiry by a minute, since verification tolerates some clock skew.
    const rememberUntil = new Date(Math.max(mfaExpiresAt.getTime(), now.getTime()) + 60_000);
    const fresh = await unit.kv.putIfAbsent(
      `${MFA_TOKEN_KEY}${mfaTokenId}`,
      account.id,
      rememberUntil,
      now,
    );
    if (!fresh || !(await recordSignIn(unit.db, account.id, step, now))) return undefined;
    const issued = await ctx.tokens.issueSessionToken(account.id, account.role);
    // Why a row per session, written with the sign-in: a token the table does not hold is refused,
    // so sign-out and an operator's revocation end it at once, on every instance.
    await insertSession(unit.db, {
      id: issued.tokenId,
      personId: account.id,
      issuedAt: now,
      expiresAt: issued.expiresAt,
    });
    await unit.audit.append(
      buildSignInAudit({ username: account.username, success: true, recorded: now, requestId }),
    );
    return issued;
  });
  if (session === undefined) {
    // Another request used this code, this mfa_token or locked the account meanwhile.
    const current = (await findPersonById(ctx.store.db, account.id)) ?? account;
    const lockNow = lockedUntil(current, now);
    if (lockNow !== undefined) throw await refuseLocked(ctx, account.username, lockNow, requestId);
    throw await refuseSignIn(ctx, {
      account: current,
      username: account.username,
      reason: 'TOTP code or sign-in step already used',
      requestId,
    });
  }
  return {
    accessToken: session.token,
    tokenType: 'Bearer',
    expiresIn: session.expiresIn,
    role: account.role,
  };
}

function failureReason(
  account: PersonAccount,
  code: string,
  secret: Uint8Array,
  now: Date,
): string {
  if (account.status !== 'enabled') return 'account disabled';
  // A code valid for an already accepted step is worth telling auditors apart: it may be stolen.
  const anyStep = matchTotpStep({ code, secret, now, lastAcceptedStep: null });
  return anyStep === undefined ? 'wrong TOTP code' : 'TOTP code already used';
}
