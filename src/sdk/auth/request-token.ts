// Obtains an access token with client_credentials and private_key_jwt, and reads who it is for from the verified token.
import { jwtVerify } from 'jose';
import { createPublicKeyCache } from '../../crypto/index.js';
import { EnlaceProtocolError, EnlaceVerificationError } from '../errors.js';
import type { GatewayKeys } from '../trust/gateway-keys.js';
import { unwrap } from '../transport/read-failure.js';
import type { GatewayHttp } from '../transport/gateway-http.js';
import { buildClientAssertion } from './client-assertion.js';
import type { SmartConfiguration } from './discover.js';
import type { SigningKey } from './signing-key.js';
import type { IssuedToken } from './token-source.js';

export interface TokenRequest {
  readonly http: GatewayHttp;
  readonly configuration: SmartConfiguration;
  readonly keys: GatewayKeys;
  readonly clientId: string;
  readonly signingKey: SigningKey;
  readonly scope: string;
  readonly now: () => Date;
}

const TOKEN_PATH = '/oauth2/token';
const imported = createPublicKeyCache();

export async function requestToken(request: TokenRequest): Promise<IssuedToken> {
  const endpoint = request.configuration.token_endpoint;
  if (!endpoint.endsWith(TOKEN_PATH)) {
    throw new EnlaceProtocolError(`the token endpoint ${endpoint} is not the gateway's`);
  }
  const now = request.now();
  const answer = unwrap(
    await request.http.open.POST(TOKEN_PATH, {
      baseUrl: endpoint.slice(0, -TOKEN_PATH.length),
      body: {
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await buildClientAssertion(
          request.clientId,
          endpoint,
          request.signingKey,
          now,
        ),
        scope: request.scope,
      },
      bodySerializer: (body) => new URLSearchParams(body).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    }),
  );
  const claims = await verifyAccessToken(request, answer.access_token, now);
  return {
    accessToken: answer.access_token,
    expiresAt: now.getTime() + answer.expires_in * 1000,
    scopes: answer.scope.split(' ').filter((scope) => scope !== ''),
    organization: claims.organization,
    role: claims.role,
  };
}

/**
 * Why verify a token the client only forwards: its `organization` is who every later signature
 * must be from and every inbox is filtered by, so it is read from the gateway's signature, not
 * taken as configuration.
 */
async function verifyAccessToken(request: TokenRequest, token: string, now: Date) {
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => imported.importKey(await request.keys.signatureJwk(header.kid), header.alg),
      {
        issuer: request.configuration.issuer,
        audience: `${request.configuration.issuer}/fhir`,
        typ: 'at+jwt',
        algorithms: ['ES256'],
        currentDate: now,
        clockTolerance: 60,
      },
    );
    const { organization, role } = payload;
    if (typeof organization !== 'string' || !organization.startsWith('Organization/')) {
      throw new Error('the token names no organization');
    }
    if (typeof role !== 'string') throw new Error('the token names no role');
    return { organization, role };
  } catch (cause) {
    throw new EnlaceVerificationError('access-token', { cause });
  }
}
