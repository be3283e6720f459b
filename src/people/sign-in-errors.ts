// The refusals of person sign-in: one uniform failure, the lockout with its Retry-After, a bad session token.
import { GatewayError } from '../kernel/index.js';

/** The one answer to a wrong password, an unknown user, a wrong or reused code. */
export const SIGN_IN_FAILED_MESSAGE =
  'Sign-in failed: the username, password or code is not correct.';

export const signInFailed = (): GatewayError =>
  new GatewayError('ENLACE_SIGN_IN_FAILED', SIGN_IN_FAILED_MESSAGE);

export const signInExpired = (cause?: unknown): GatewayError =>
  new GatewayError(
    'ENLACE_SIGN_IN_FAILED',
    'The sign-in step is invalid or has expired; sign in again with username and password.',
    { cause },
  );

export const lockedMessage = (until: Date): string =>
  `Account locked after repeated failed sign-ins; try again after ${until.toISOString()} or ask another operator to unlock it.`;

export function accountLocked(until: Date, now: Date): GatewayError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new GatewayError('ENLACE_SIGN_IN_LOCKED', lockedMessage(until), {
    headers: { 'Retry-After': String(seconds) },
  });
}

/** Why uniform: naming the failed check (signature, expiry, lock) would help an attacker probe. */
export const personTokenInvalid = (cause?: unknown): GatewayError =>
  new GatewayError(
    'ENLACE_PERSON_TOKEN_INVALID',
    'The bearer token is not a valid person session token.',
    {
      cause,
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    },
  );
