// Signs an access token as an RFC 9068 JWT (`typ: at+jwt`) with the gateway's ES256 key.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { GatewayKey } from '../crypto/index.js';
import type { RegisteredClient } from '../partners/index.js';
import type { AuthEndpoints } from './endpoints.js';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ACCESS_TOKEN_ALGORITHM = 'ES256';

export interface IssuedAccessToken {
  readonly token: string;
  readonly tokenId: string;
  readonly expiresIn: number;
}

export async function issueAccessToken(
  signing: GatewayKey,
  endpoints: AuthEndpoints,
  { client, partner }: RegisteredClient,
  scopes: readonly string[],
  now: Date,
  lifetimeSeconds: number,
  /** RFC 8705 §3: the thumbprint of the client certificate the token is bound to. */
  certificateThumbprint?: string,
): Promise<IssuedAccessToken> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const tokenId = randomUUID();
  const token = await new SignJWT({
    client_id: client.clientId,
    organization: `Organization/${partner.id}`,
    role: partner.role,
    scope: scopes.join(' '),
    ...(certificateThumbprint === undefined ? {} : { cnf: { 'x5t#S256': certificateThumbprint } }),
  })
    // Why typ at+jwt: it is what tells an access token from an ID token or a client assertion
    // signed by a key the verifier also trusts (RFC 9068 §2.1, §4).
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid: signing.kid })
    .setIssuer(endpoints.issuer)
    .setAudience(endpoints.fhirBase)
    .setSubject(client.clientId)
    .setJti(tokenId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + lifetimeSeconds)
    .sign(signing.privateKey);
  return { token, tokenId, expiresIn: lifetimeSeconds };
}
