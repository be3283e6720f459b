// Public face of the partner registry: institutions, their clients and endpoints, the directory and the network policy.
export type {
  ClientRegistration,
  Partner,
  PartnerEndpoint,
  PartnerStatus,
  RegisteredClient,
  SigningAlgorithm,
} from './partner.js';
export { defaultAllowedAlgorithms, permittedAlgorithms } from './partner.js';
export {
  isPartnerRole,
  ORGANIZATION_ROLE_SYSTEM,
  PARTNER_ID_SYSTEM,
  partnerRoles,
  roleDisplay,
} from './roles.js';
export type { PartnerRole } from './roles.js';
export {
  findPartner,
  findRegisteredClient,
  listClients,
  listEndpoints,
  listPartners,
} from './partner-repository.js';
export type { PartnerFilter } from './partner-repository.js';
export { registerPartner } from './register-partner.js';
export type {
  CertificateIssuer,
  IssuedCertificate,
  PartnerCredential,
  RegisterPartnerInput,
  RegistrationDeps,
  RegistrationResult,
} from './register-partner.js';
export { setPartnerStatus } from './set-partner-status.js';
export {
  endpointSearchParams,
  organizationSearchParams,
  readEndpoint,
  readOrganization,
  searchEndpoints,
  searchOrganizations,
} from './directory.js';
export { toEndpoint, toOrganization } from './to-fhir.js';
export {
  DEFAULT_EMERGENCY_POLICY,
  DEFAULT_POLICY_PATH,
  loadNetworkPolicy,
  messageEvents,
  toNetworkPolicy,
} from './network-policy.js';
export type {
  EmergencyPolicy,
  MessageEvent,
  NetworkPolicy,
  NetworkPolicyDocument,
} from './network-policy.js';
export { certificateIssuerFor, DEFAULT_CERTIFICATE_DAYS } from './pki-issuer.js';
