// Assembles the token endpoint and the public documents once from the injected dependencies.
import type { PresentedCertificate } from '../kernel/index.js';
import type { AuthDeps } from './auth-deps.js';
import { toAuthSettings } from './auth-settings.js';
import {
  buildAuthorizationServerMetadata,
  buildSmartConfiguration,
  type AuthorizationServerMetadata,
  type SmartConfiguration,
} from './discovery.js';
import { toAuthEndpoints, type AuthEndpoints } from './endpoints.js';
import { createJwksPublisher, type PublishedJwks } from './public-jwks.js';
import { requestAccessToken, type TokenResponse } from './request-access-token.js';

export interface TokenService {
  readonly endpoints: AuthEndpoints;
  readonly smartConfiguration: SmartConfiguration;
  readonly authorizationServerMetadata: AuthorizationServerMetadata;
  /** The JWKS as published now (it follows a key rotation), with its entity tag. */
  jwks(): PublishedJwks;
  /** Handles `POST /oauth2/token`; `form` is the parsed form body. Throws GatewayErrors with `oauth` codes. */
  requestAccessToken(
    form: unknown,
    requestId: string,
    clientCertificate?: PresentedCertificate,
  ): Promise<TokenResponse>;
}

export function createTokenService(deps: AuthDeps): TokenService {
  const settings = toAuthSettings(deps.settings);
  const endpoints = toAuthEndpoints(deps.publicUrl);
  // Why check at start: tokens are verified as ES256 only, so any other signing key is a misconfiguration.
  if (deps.keys.signing.alg !== 'ES256') throw new Error('the gateway signing key must be ES256');
  const context = { deps, settings, endpoints };
  const boundTokens = deps.clientCertificates !== undefined;
  return {
    endpoints,
    smartConfiguration: buildSmartConfiguration(endpoints, settings, deps.policy, boundTokens),
    authorizationServerMetadata: buildAuthorizationServerMetadata(
      endpoints,
      settings,
      deps.policy,
      boundTokens,
    ),
    jwks: createJwksPublisher(deps.keys),
    requestAccessToken: (form, requestId, clientCertificate) =>
      requestAccessToken(context, form, requestId, clientCertificate),
  };
}
