// Routes of machine authentication: SMART discovery, RFC 8414 metadata, the JWKS and the token endpoint.
import {
  AUTHORIZATION_SERVER_METADATA_PATH,
  JWKS_PATH,
  SMART_CONFIGURATION_PATH,
  TOKEN_PATH,
  type TokenService,
} from '../auth/index.js';
import { JSON_TYPE } from '../fhir/index.js';
import { FORM_TYPE } from './read-body.js';
import type { Route } from './route.js';

const JWK_SET_TYPE = 'application/jwk-set+json';

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
      handler: () => ({ body: tokens.jwks }),
    },
    {
      method: 'POST',
      path: TOKEN_PATH,
      operationId: 'requestAccessToken',
      consumes: [FORM_TYPE],
      produces: [JSON_TYPE],
      errorFormat: 'oauth',
      handler: async (ctx) => ({
        body: await tokens.requestAccessToken(ctx.body, ctx.requestId),
        headers: NO_STORE,
      }),
    },
  ];
}
