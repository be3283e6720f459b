// Discovery documents: SMART configuration (SMART App Launch 2 §2.0.9) and RFC 8414 authorization server metadata.
import type { NetworkPolicy } from '../partners/index.js';
import { partnerRoles } from '../partners/index.js';
import type { AuthSettings } from './auth-settings.js';
import type { AuthEndpoints } from './endpoints.js';

export interface AuthorizationServerMetadata {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly token_endpoint: string;
  readonly grant_types_supported: readonly string[];
  readonly token_endpoint_auth_methods_supported: readonly string[];
  readonly token_endpoint_auth_signing_alg_values_supported: readonly string[];
  readonly scopes_supported: readonly string[];
  /** RFC 8705 §3.3: tokens issued over mutual TLS carry `cnf.x5t#S256` and need that certificate. */
  readonly tls_client_certificate_bound_access_tokens?: true;
}

export interface SmartConfiguration extends AuthorizationServerMetadata {
  readonly capabilities: readonly string[];
}

/** Every scope some role may hold: the union of the network policy's ceilings. */
function supportedScopes(policy: NetworkPolicy): string[] {
  return [...new Set(partnerRoles.flatMap((role) => policy.scopesFor(role)))].sort();
}

export function buildAuthorizationServerMetadata(
  endpoints: AuthEndpoints,
  settings: AuthSettings,
  policy: NetworkPolicy,
  boundTokens = false,
): AuthorizationServerMetadata {
  return {
    issuer: endpoints.issuer,
    jwks_uri: endpoints.jwksUri,
    token_endpoint: endpoints.tokenEndpoint,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: [...settings.allowedAlgorithms],
    scopes_supported: supportedScopes(policy),
    ...(boundTokens ? { tls_client_certificate_bound_access_tokens: true as const } : {}),
  };
}

export function buildSmartConfiguration(
  endpoints: AuthEndpoints,
  settings: AuthSettings,
  policy: NetworkPolicy,
  boundTokens = false,
): SmartConfiguration {
  return {
    ...buildAuthorizationServerMetadata(endpoints, settings, policy, boundTokens),
    // v1 scope syntax is accepted in requests and translated, but grants are always spelled v2.
    capabilities: ['client-confidential-asymmetric', 'permission-v2'],
  };
}
