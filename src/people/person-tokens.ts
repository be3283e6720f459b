// The gateway-signed JWTs of person sign-in: a short mfa_token between the two steps, and the session token.
import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { createVerificationKeys, type GatewayKey, type VerificationKeys } from '../crypto/index.js';
import type { Clock, PersonRole } from '../kernel/index.js';

export const MFA_TOKEN_TYPE = 'enlace-mfa+jwt';
export const SESSION_TOKEN_TYPE = 'enlace-session+jwt';
export const MFA_TOKEN_SECONDS = 5 * 60;
export const SESSION_TOKEN_SECONDS = 15 * 60;
/** Longer strings are refused before any parsing; our tokens are about 400 characters. */
export const MAX_TOKEN_LENGTH = 4096;
const ALGORITHM = 'ES256';

export interface TokenSettings {
  /** The gateway's signing key in use (GatewayKeys.signing, which follows a rotation). */
  readonly signingKey: GatewayKey;
  /** The keys tokens verify with, by kid; the signing key alone unless given. */
  readonly verificationKeys?: VerificationKeys;
  /** `iss` of every token: the gateway's public URL. */
  readonly issuer: string;
  readonly clock: Clock;
  /** Seconds of clock difference tolerated between gateway instances. */
  readonly clockToleranceSeconds: number;
}

export interface VerifiedToken {
  readonly subject: string;
  readonly tokenId: string;
  readonly expiresAt: Date;
  readonly role: unknown;
}

export interface IssuedToken {
  readonly token: string;
  readonly tokenId: string;
  readonly expiresIn: number;
  readonly expiresAt: Date;
}

export interface PersonTokens {
  issueMfaToken(userId: string): Promise<IssuedToken>;
  issueSessionToken(userId: string, role: PersonRole): Promise<IssuedToken>;
  /** Resolves with the verified claims, or rejects; callers answer one uniform refusal. */
  verifyMfaToken(token: string): Promise<VerifiedToken>;
  verifySessionToken(token: string): Promise<VerifiedToken>;
}

export function createPersonTokens(settings: TokenSettings): PersonTokens {
  const { signingKey, issuer, clock } = settings;
  if (signingKey.alg !== ALGORITHM) throw new Error('person tokens need an ES256 signing key');
  // Why every published signing key: a session signed just before a key rotation stays valid.
  const verificationKeys =
    settings.verificationKeys ?? createVerificationKeys({ signing: signingKey, encryption: [] });

  async function issue(
    type: string,
    seconds: number,
    userId: string,
    claims: JWTPayload,
  ): Promise<IssuedToken> {
    const now = Math.floor(clock().getTime() / 1000);
    const tokenId = randomUUID();
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, typ: type, kid: signingKey.kid })
      .setIssuer(issuer)
      .setSubject(userId)
      .setJti(tokenId)
      .setIssuedAt(now)
      .setExpirationTime(now + seconds)
      .sign(signingKey.privateKey);
    return { token, tokenId, expiresIn: seconds, expiresAt: new Date((now + seconds) * 1000) };
  }

  async function verify(token: string, type: string, maxAge: number): Promise<VerifiedToken> {
    if (token.length > MAX_TOKEN_LENGTH) throw new Error('token too long');
    const { payload } = await jwtVerify(token, (header) => keyNamed(verificationKeys, header.kid), {
      // Why: pinning the algorithm and the typ keeps a partner access token, an mfa_token or an
      // `alg: none` forgery from ever passing as a person's session (RFC 8725 §3.1, §3.11).
      algorithms: [ALGORITHM],
      typ: type,
      issuer,
      currentDate: clock(),
      clockTolerance: settings.clockToleranceSeconds,
      // Why: bounds a token's life by its iat too, so a token minted with a distant exp still dies.
      maxTokenAge: maxAge,
      requiredClaims: ['sub', 'jti', 'iat', 'exp'],
    });
    const { sub, jti, exp } = payload;
    if (typeof sub !== 'string' || typeof jti !== 'string' || typeof exp !== 'number') {
      throw new Error('token claims are malformed');
    }
    return { subject: sub, tokenId: jti, expiresAt: new Date(exp * 1000), role: payload.role };
  }

  return {
    issueMfaToken: (userId) => issue(MFA_TOKEN_TYPE, MFA_TOKEN_SECONDS, userId, {}),
    issueSessionToken: (userId, role) =>
      issue(SESSION_TOKEN_TYPE, SESSION_TOKEN_SECONDS, userId, { role }),
    verifyMfaToken: (token) => verify(token, MFA_TOKEN_TYPE, MFA_TOKEN_SECONDS),
    verifySessionToken: (token) => verify(token, SESSION_TOKEN_TYPE, SESSION_TOKEN_SECONDS),
  };
}

function keyNamed(keys: VerificationKeys, kid: unknown) {
  const key = keys(kid);
  if (key === undefined) throw new Error('no published gateway signing key has this kid');
  return key;
}
