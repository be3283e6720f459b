// Public face of consent: pseudonyms, the decision engine, records, the enforcement gate, obligations, break-the-glass.
export * from './types.js';
export { decide } from './engine/decide.js';
export { toConsentReference } from './engine/consent-reference.js';
export { createPseudonymizer } from './pseudonym/create-pseudonymizer.js';
export { loadOrCreatePseudonymKeys } from './pseudonym/load-pseudonym-keys.js';
export { normaliseIdentifier } from './pseudonym/normalise-identifier.js';
export { parsePseudonymKeySet } from './pseudonym/pseudonym-keys.js';
export type { PseudonymKeySet } from './pseudonym/pseudonym-keys.js';
export {
  applyDataClassObligations,
  dataClassLabels,
} from './obligations/apply-data-class-obligations.js';
export type { ObligationResult } from './obligations/apply-data-class-obligations.js';
export {
  buildDecisionProvenance,
  signDecisionProvenance,
  verifyDecisionProvenance,
} from './obligations/decision-provenance.js';
export type { DecisionProvenanceInput } from './obligations/decision-provenance.js';
export {
  CONSENT_EVALUATE_DEFINITION,
  ConsentDenied,
  consentSearchParams,
  createConsent,
  loadConsentsAsOf,
  loadCurrentConsents,
  readConsent,
  readConsentHistory,
  readConsentVersion,
  recordDisclosure,
  REVOCATION_REASON_EXTENSION,
  revokeConsent,
  sealLegacyConsents,
  searchConsents,
  VAW_CONSENT_PROFILE,
} from './records/index.js';
export type {
  ConsentCaller,
  ConsentContext,
  ConsentDeps,
  ConsentRecord,
  ConsentVersion,
  DisclosureSubject,
  Revocation,
} from './records/index.js';
export { checkConsent, evaluateConsentOperation, runWithConsentAudit } from './gate/index.js';
export type { GateDeps, GateRequest } from './gate/index.js';
export {
  activeConsentRecorders,
  findActiveGrant,
  isGrantInForce,
  listGrantsForReview,
  listNotifications,
  reviewGrant,
  startEmergencyAccess,
  startEmergencySweeper,
  stopEmergencyAccess,
  stopExpiredGrants,
  BREAK_GLASS_NOTICE,
  EMERGENCY_ACCESS_OPERATION,
  EMERGENCY_GRANT_SYSTEM,
  RISK_LEVEL_SYSTEM,
} from './emergency/index.js';
export type {
  BreakGlassPayload,
  ConsentRecorders,
  EmergencyDeps,
  GrantRecord,
  Notification,
  ReviewOutcome,
  SweeperOptions,
} from './emergency/index.js';
