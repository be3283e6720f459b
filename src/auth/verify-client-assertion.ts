// Verifies a client assertion's signature and claims with jose: pinned algorithms, exact aud, bounded exp, jti.
import { errors, jwtVerify } from 'jose';
import type { AuthSettings } from './auth-settings.js';
import type { VerificationKey } from './resolve-assertion-key.js';
import { clientAuthFailed } from './token-errors.js';

export const MAX_JTI_CHARS = 256;

export interface AssertionExpectations {
  readonly clientId: string;
  readonly tokenEndpoint: string;
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
      audience: expected.tokenEndpoint,
      currentDate: expected.now,
      clockTolerance: skew,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'jti'],
    }));
  } catch (cause) {
    throw clientAuthFailed(`assertion refused: ${describeJoseFailure(cause)}`, cause);
  }
  // Why a single audience: SMART names the token endpoint as THE audience; a list could carry a
  // token meant for several servers, any of which could replay it here.
  if (Array.isArray(payload.aud) && payload.aud.length !== 1) {
    throw clientAuthFailed('assertion aud lists more than the token endpoint');
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
