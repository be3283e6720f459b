// Public face of consent records: create, read, search and revoke consents; disclosures; past states.
export {
  CONSENT_EVALUATE_DEFINITION,
  REVOCATION_REASON_EXTENSION,
  VAW_CONSENT_PROFILE,
} from './consent-constants.js';
export type {
  ConsentCaller,
  ConsentChange,
  ConsentContext,
  ConsentDeps,
  ConsentRecord,
  ConsentStatus,
  ConsentVersion,
} from './consent-record.js';
export { ConsentDenied } from './consent-denied.js';
export { createConsent, createConsentConditionally } from './create-consent.js';
export type { ConsentCreation } from './create-consent.js';
export { consentMatchParams } from './consent-match.js';
export { readConsent, readConsentHistory, readConsentVersion } from './read-consent.js';
export {
  CONSENT_SEARCH_PAGING,
  CONSENT_SEARCH_PARAM_DOCS,
  consentSearchParams,
  searchConsents,
} from './search-consents.js';
export type { ConsentPage, ConsentSearch } from './search-consents.js';
export { revokeConsent } from './revoke-consent.js';
export type { Revocation, RevocationRequest } from './revoke-consent.js';
export { recordDisclosure } from './record-disclosure.js';
export type { DisclosureSubject } from './record-disclosure.js';
export { loadConsentsAsOf, loadCurrentConsents } from './stored-consents.js';
export { canRevokeConsent, canSeeConsent, canSeeConsentResource } from './consent-visibility.js';
export { lockSurvivorState } from './survivor-state.js';
export { buildConsentAuditEvent, survivorEntity } from './consent-audit.js';
export { versionEtag } from './read-if-match.js';
export { findConsent } from './consent-repository.js';
export { sealLegacyConsents } from './seal-legacy-consents.js';
