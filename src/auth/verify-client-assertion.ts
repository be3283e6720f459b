// Verifies a client assertion's signature and claims with jose: pinned algorithms, one exact aud, bounded exp, jti.
import { errors, jwtVerify } from 'jose';
import type { AuthSettings } from './auth-settings.js';
import type { VerificationKey } from './resolve-assertion-key.js';
import { clientAuthFailed } from './token-errors.js';

export const MAX_JTI_CHARS = 256;

export interface AssertionExpectations {
  readonly clientId: string;
  /**
   * The values `aud` may hold, each compared exactly: the token endpoint URL (SMART Backend
   * Services) and the issuer identifier as discovery publishes it (RFC 7523bis).
   */
  readonly audiences: readonly string[];
  readonly algorithms: readonly string[];
  readonly now: Date;
  readonly settings: AuthSettings;
}

export interface VerifiedAssertion {
  readonly jti: string;
  /** When the assertion can no longer be accepted (exp plus skew): how long to remember its jti. */
  readonly acceptableUntil: Date;
}

export async function verifyClientAssertion(
  assertion: string,
  key: VerificationKey,
  expected: AssertionExpectations,
): Promise<VerifiedAssertion> {
  const skew = expected.settings.clockSkewSeconds;
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(assertion, key, {
      // Why pinned: the header's alg is attacker-chosen; only these may ever be tried.
      algorithms: [...expected.algorithms],
      issuer: expected.clientId,
      subject: expected.clientId,
      audience: [...expected.audiences],
      currentDate: expected.now,
      clockTolerance: skew,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'jti'],
    }));
  } catch (cause) {
    throw clientAuthFailed(`assertion refused: ${describeJoseFailure(cause)}`, cause);
  }
  // Why a single string, never a list (not even of one): an assertion naming several audiences
  // could be replayed here by any of them, and RFC 7523bis requires aud to be one string.
  if (typeof payload.aud !== 'string') {
    throw clientAuthFailed('assertion aud is not a single string');
  }
  const nowSeconds = Math.floor(expected.now.getTime() / 1000);
  const exp = payload.exp ?? 0;
  // Why: a long-lived assertion is a bearer credential; SMART caps it at five minutes.
  if (exp - nowSeconds > expected.settings.maxAssertionSeconds + skew) {
    throw clientAuthFailed('assertion exp too far ahead');
  }
  if (payload.iat !== undefined && payload.iat > nowSeconds + skew) {
    throw clientAuthFailed('assertion iat in the future');
  }
  const { jti } = payload;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_CHARS) {
    throw clientAuthFailed('assertion jti missing or out of bounds');
  }
  return { jti, acceptableUntil: new Date((exp + skew) * 1000) };
}

/** A fixed description of a jose failure: its code and, for claims, which claim; never input text. */
function describeJoseFailure(cause: unknown): string {
  if (cause instanceof errors.JWTClaimValidationFailed)
    return `claim ${cause.claim} ${cause.reason}`;
  if (cause instanceof errors.JOSEError) return cause.code;
  return 'unexpected error';
}
