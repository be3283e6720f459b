// Routes of machine authentication: SMART discovery (under /fhir and at the root), RFC 8414 metadata, the JWKS, the token endpoint.
import {
  AUTHORIZATION_SERVER_METADATA_PATH,
  JWKS_PATH,
  ROOT_SMART_CONFIGURATION_PATH,
  SMART_CONFIGURATION_PATH,
  TOKEN_PATH,
  type TokenService,
} from '../auth/index.js';
import { JWKS_MAX_AGE_SECONDS } from '../crypto/index.js';
import { JSON_TYPE } from '../fhir/index.js';
import { ifNoneMatchHits } from './conditional-read.js';
import { FORM_TYPE } from './read-body.js';
import type { Route } from './route.js';

const JWK_SET_TYPE = 'application/jwk-set+json';

/**
 * Why cacheable when every other answer is no-store: the JWKS holds public keys only, and partners
 * verify with it all day. A key rotation publishes the next key longer ahead than this max-age.
 */
const JWKS_CACHING = {
  'Cache-Control': `public, max-age=${String(JWKS_MAX_AGE_SECONDS)}`,
  Vary: 'Accept',
} as const;

/** Tokens and token errors are never cached by clients or intermediaries (RFC 6749 §5.1). */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

export function authRoutes(tokens: TokenService): Route[] {
  return [
    {
      method: 'GET',
      path: SMART_CONFIGURATION_PATH,
      operationId: 'getSmartConfiguration',
      produces: [JSON_TYPE],
      handler: () => ({ body: tokens.smartConfiguration }),
    },
    {
      // The same document beside the issuer, where clients given only the server's URL look.
      method: 'GET',
      path: ROOT_SMART_CONFIGURATION_PATH,
      operationId: 'getRootSmartConfiguration',
      produces: [JSON_TYPE],
      handler: () => ({ body: tokens.smartConfiguration }),
    },
    {
      method: 'GET',
      path: AUTHORIZATION_SERVER_METADATA_PATH,
      operationId: 'getAuthorizationServerMetadata',
      produces: [JSON_TYPE],
      handler: () => ({ body: tokens.authorizationServerMetadata }),
    },
    {
      method: 'GET',
      path: JWKS_PATH,
      operationId: 'getJwks',
      produces: [JSON_TYPE, JWK_SET_TYPE],
      handler: (ctx) => {
        const jwks = tokens.jwks();
        const headers = { ...JWKS_CACHING, ETag: jwks.etag };
        if (ifNoneMatchHits(ctx.headers, jwks.opaqueTag) === true) {
          return { status: 304, body: undefined, headers };
        }
        return { body: jwks.document, headers };
      },
    },
    {
      method: 'POST',
      path: TOKEN_PATH,
      operationId: 'requestAccessToken',
      consumes: [FORM_TYPE],
      produces: [JSON_TYPE],
      errorFormat: 'oauth',
      handler: async (ctx) => ({
        body: await tokens.requestAccessToken(ctx.body, ctx.requestId, ctx.clientCertificate),
        headers: NO_STORE,
      }),
    },
  ];
}
