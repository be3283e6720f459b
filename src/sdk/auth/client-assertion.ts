// A SMART Backend Services client assertion (RFC 7523 private_key_jwt), signed with the partner's key.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SigningKey } from './signing-key.js';

/** How long an assertion is valid: the gateway allows at most 5 minutes; a minute is plenty. */
const ASSERTION_LIFETIME_SECONDS = 60;

/**
 * `iss` = `sub` = the client id, `aud` the token endpoint (one string, as the gateway requires), a
 * fresh `jti` (the gateway refuses a replay), and the key named by `kid` or carried as `x5c`.
 */
export function buildClientAssertion(
  clientId: string,
  tokenEndpoint: string,
  key: SigningKey,
  now: Date,
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader(
      key.x5c === undefined
        ? { alg: key.alg, typ: 'JWT', kid: key.kid }
        : { alg: key.alg, typ: 'JWT', x5c: [...key.x5c] },
    )
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenEndpoint)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ASSERTION_LIFETIME_SECONDS)
    .sign(key.privateKey);
}
