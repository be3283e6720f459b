// Public face of the PKI: network CA creation, partner certificates, CRLs and x5c chain validation.
export { initNetworkPki } from './init-network-pki.js';
export type { InitNetworkPkiOptions, NetworkPkiFiles } from './init-network-pki.js';
export { loadPki } from './load-pki.js';
export type { LoadPkiOptions, Pki } from './load-pki.js';
export { loadReloadingPki } from './reloading-pki.js';
export type { CertificateRecord } from './certificate-repository.js';
export type { IssueCertificateInput } from './issue-certificate.js';
export type { RevokeCertificateInput } from './revoke-certificate.js';
export { REVOCATION_REASONS, isRevocationReason } from './revocation-reasons.js';
export type { RevocationReason } from './revocation-reasons.js';
export type { ValidatedChain } from './validate-certificate-chain.js';
export type { AnchorSource, TrustAnchor } from './trust-anchors.js';
export { CHAIN_FAILURE_MESSAGE } from './chain-error.js';
export {
  CERTIFICATE_SERIAL_SYSTEM,
  MAX_VALIDITY_DAYS,
  MIN_VALIDITY_DAYS,
  PARTNER_URI_PREFIX,
} from './pki-constants.js';
export { toCertificateJson } from './certificate-json.js';
