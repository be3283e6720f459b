// Public face of the partner registry: institutions, their clients and endpoints, the directory and the network policy.
export type {
  CertificateClientKey,
  ClientKey,
  ClientRegistration,
  JwkClientKey,
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
  listClientKeys,
  listClients,
  listEndpoints,
  listPartners,
} from './partner-repository.js';
export type { PartnerFilter } from './partner-repository.js';
export { authenticatedPartner, rememberAuthenticatedPartner } from './authenticated-partner.js';
export { registerPartner } from './register-partner.js';
export type {
  RegisterPartnerInput,
  RegistrationDeps,
  RegistrationResult,
} from './register-partner.js';
export type {
  CertificateIssuer,
  IssuedCertificate,
  PartnerCredential,
} from './client-credential.js';
export { addClient, removeClient, rotateClientKey } from './manage-clients.js';
export type {
  AddClientInput,
  ClientChange,
  ClientChangeDeps,
  KeyRotation,
  RotateKeyInput,
} from './manage-clients.js';
export { toClientView } from './client-view.js';
export type { ClientView, KeyView } from './client-view.js';
export { isKeyActive, MAX_OVERLAP_DAYS, parseOverlap } from './key-overlap.js';
export { readPartnerJwks } from './partner-jwks.js';
export type { PartnerJwks } from './partner-jwks.js';
export { setPartnerStatus } from './set-partner-status.js';
export {
  ENDPOINT_SEARCH_PAGING,
  ENDPOINT_SEARCH_PARAM_DOCS,
  endpointSearchParams,
  ORGANIZATION_SEARCH_PAGING,
  ORGANIZATION_SEARCH_PARAM_DOCS,
  organizationSearchParams,
  readEndpoint,
  readOrganization,
  searchEndpoints,
  searchOrganizations,
} from './directory.js';
export type { DirectoryPage, DirectorySearchDeps } from './directory.js';
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
