// Reads an assertion's header and issuer WITHOUT trusting them, only to choose the client and key to verify with.
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { hasControlCharacter } from '../kernel/index.js';
import { MAX_CLIENT_ID_CHARS } from './read-token-request.js';
import { clientAuthFailed } from './token-errors.js';

/** kids are compared as exact strings; anything longer than this cannot be a registered kid. */
export const MAX_KID_CHARS = 256;

export interface AssertionPeek {
  readonly alg: string;
  readonly kid: string | undefined;
  readonly x5c: readonly string[] | undefined;
  /** The claimed client: `iss`, which must equal `sub`. Verified later by the signature. */
  readonly clientId: string;
}

/**
 * Why peek: the key depends on who claims to be calling. Nothing read here is believed: after the
 * signature verifies, jose checks iss, sub and alg again against the same values.
 */
export function peekAssertion(assertion: string): AssertionPeek {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: ReturnType<typeof decodeJwt>;
  try {
    header = decodeProtectedHeader(assertion);
    claims = decodeJwt(assertion);
  } catch (cause) {
    throw clientAuthFailed('assertion is not a compact JWS JWT', cause);
  }
  const { alg, kid, x5c } = header;
  if (typeof alg !== 'string') throw clientAuthFailed('assertion header has no alg');
  if (kid !== undefined && (typeof kid !== 'string' || kid.length > MAX_KID_CHARS)) {
    throw clientAuthFailed('assertion kid out of bounds');
  }
  if (x5c !== undefined && !isStringArray(x5c)) throw clientAuthFailed('assertion x5c malformed');
  const { iss, sub, jti } = claims;
  if (typeof iss !== 'string' || iss === '' || iss.length > MAX_CLIENT_ID_CHARS) {
    throw clientAuthFailed('assertion iss missing or out of bounds');
  }
  // Why before any lookup: these values become query parameters and keys, and PostgreSQL answers
  // U+0000 with an error; a forged assertion must get invalid_client, never a 500.
  if ([iss, kid, jti].some((value) => typeof value === 'string' && hasControlCharacter(value))) {
    throw clientAuthFailed('assertion claim holds a control character');
  }
  // Why: SMART requires iss = sub = client_id; a mismatch names two parties at once.
  if (sub !== iss) throw clientAuthFailed('assertion sub differs from iss');
  return { alg, kid, x5c, clientId: iss };
}

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((entry) => typeof entry === 'string');
