// Verifies a gateway access token with jose: ES256 only, a published gateway kid, typ at+jwt, issuer, audience, expiry.
import { jwtVerify } from 'jose';
import type { VerificationKeys } from '../crypto/index.js';
import type { AuthEndpoints } from './endpoints.js';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_TYPE } from './issue-access-token.js';
import { tokenInvalid } from './bearer-refusals.js';

const ORGANIZATION_PREFIX = 'Organization/';

export interface AccessTokenClaims {
  readonly clientId: string;
  readonly partnerId: string;
  readonly scopes: readonly string[];
  readonly tokenId: string;
  /** RFC 8705 `cnf.x5t#S256`: the client certificate the token was issued over, if any. */
  readonly certificateThumbprint: string | undefined;
}

export async function verifyAccessToken(
  token: string,
  keys: VerificationKeys,
  endpoints: AuthEndpoints,
  now: Date,
  skewSeconds: number,
): Promise<AccessTokenClaims> {
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    // Why by kid among the published keys: tokens signed before a key rotation stay valid until
    // they expire, and the previous key is published at least that long.
    ({ payload } = await jwtVerify(token, (header) => keyNamed(keys, header.kid), {
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      // Why typ: a client assertion or any other JWT must not pass for an access token, even one
      // whose signature would verify (token-type confusion, RFC 9068 §4).
      typ: ACCESS_TOKEN_TYPE,
      issuer: endpoints.issuer,
      audience: endpoints.fhirBase,
      currentDate: now,
      clockTolerance: skewSeconds,
      requiredClaims: ['iss', 'aud', 'sub', 'exp', 'iat', 'jti'],
    }));
  } catch (cause) {
    throw tokenInvalid('access token refused by jose', cause);
  }
  const { sub, jti, client_id: clientId, organization, scope } = payload;
  if (
    typeof clientId !== 'string' ||
    clientId !== sub ||
    typeof jti !== 'string' ||
    typeof scope !== 'string' ||
    typeof organization !== 'string' ||
    !organization.startsWith(ORGANIZATION_PREFIX)
  ) {
    throw tokenInvalid('access token claims malformed');
  }
  return {
    certificateThumbprint: thumbprintOf(payload.cnf),
    clientId,
    partnerId: organization.slice(ORGANIZATION_PREFIX.length),
    scopes: scope.split(' ').filter((entry) => entry !== ''),
    tokenId: jti,
  };
}

/** A base64url SHA-256 is 43 characters. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

function thumbprintOf(cnf: unknown): string | undefined {
  if (cnf === undefined) return undefined;
  const thumbprint: unknown =
    typeof cnf === 'object' && cnf !== null ? (cnf as Record<string, unknown>)['x5t#S256'] : null;
  // Why refuse rather than ignore: a confirmation the gateway cannot check must not be dropped.
  if (typeof thumbprint !== 'string' || !THUMBPRINT.test(thumbprint)) {
    throw tokenInvalid('access token cnf malformed');
  }
  return thumbprint;
}

function keyNamed(keys: VerificationKeys, kid: unknown) {
  const key = keys(kid);
  if (key === undefined) throw new Error('no published gateway signing key has this kid');
  return key;
}
