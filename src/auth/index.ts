// Public face of auth: SMART Backend Services token endpoint, discovery, JWKS and the access-token Authorizer.
export { createTokenService } from './token-service.js';
export type { TokenService } from './token-service.js';
export { createAuthorizer } from './create-authorizer.js';
export type {
  AuthDeps,
  AuthorizerDeps,
  CertificateChainValidator,
  PersonRequirement,
  PersonTokenVerifier,
  ValidatedClientChain,
} from './auth-deps.js';
export { DEFAULT_AUTH_SETTINGS, toAuthSettings } from './auth-settings.js';
export type { AuthSettings } from './auth-settings.js';
export {
  AUTHORIZATION_SERVER_METADATA_PATH,
  JWKS_PATH,
  ROOT_SMART_CONFIGURATION_PATH,
  SMART_CONFIGURATION_PATH,
  TOKEN_PATH,
  toAuthEndpoints,
} from './endpoints.js';
export type { AuthEndpoints } from './endpoints.js';
export type { AuthorizationServerMetadata, SmartConfiguration } from './discovery.js';
export type { PublicJwks, PublishedJwks } from './public-jwks.js';
export type { TokenResponse } from './request-access-token.js';
export { grantScopes, parseScopeParameter } from './grant-scopes.js';
export { scopesCover } from './scopes-cover.js';
export { CLIENT_ID_SYSTEM, ACCESS_TOKEN_ID_SYSTEM } from './audit-token-request.js';
export { auditRefusals } from './audit-refusals.js';
export { authorizeAny } from './authorize-any.js';
export type { AuditedAuthorizer } from './audit-refusals.js';
export { personVerifier } from './person-requirement.js';
