// Public face of the kernel: the error registry, the clock, strict JSON parsing and build info.
export { GatewayError, errorRegistry, isGatewayError } from './errors.js';
export type {
  ErrorCode,
  ErrorSpec,
  GatewayErrorOptions,
  IssueType,
  OAuthErrorCode,
} from './errors.js';
export type {
  AccessRequirement,
  AuthorizationContext,
  Authorizer,
  PartnerPrincipal,
  PersonPrincipal,
  PersonRole,
  Principal,
} from './principal.js';
export type { ClientCertificateMode, PresentedCertificate } from './client-certificate.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { decodeUtf8, parseStrictJson } from './strict-json.js';
export { hasControlCharacter, hasForbiddenTextCharacter } from './control-characters.js';
export type { StrictJsonLimits } from './strict-json.js';
export { readPackageInfo } from './package-info.js';
export type { PackageInfo } from './package-info.js';
export { PSEUDONYM_SYSTEM } from './naming-systems.js';
export { GATEWAY_ORGANIZATION_ID, GATEWAY_REFERENCE } from './gateway-identity.js';
