// Public face of break-the-glass: opening, stopping, sweeping and reviewing governed emergency grants.
export {
  DEFAULT_GRANT_HOURS,
  EMERGENCY_ACCESS_OPERATION,
  EMERGENCY_ACCESS_STOP_OPERATION,
  EMERGENCY_GRANT_SYSTEM,
  EMERGENCY_TREATMENT,
  emergencyRiskLevels,
  JUSTIFICATION_MAX_CHARS,
  JUSTIFICATION_MIN_CHARS,
  OPERATION_DEFINITION_BASE,
  RISK_LEVEL_SYSTEM,
  reviewOutcomes,
} from './emergency-codes.js';
export type { EmergencyRiskLevel, ReviewOutcome } from './emergency-codes.js';
export type { ConsentRecorders, EmergencyDeps } from './emergency-deps.js';
export { activeConsentRecorders } from './consent-recorders.js';
export type { GrantRecord, GrantReview } from './grant-record.js';
export { isGrantInForce } from './grant-record.js';
export { findActiveGrant } from './grant-repository.js';
export type { ReviewQuery } from './grant-repository.js';
export { startEmergencyAccess } from './start-emergency-access.js';
export type { EmergencyAccessInput, EmergencyAccessResult } from './start-emergency-access.js';
export { stopEmergencyAccess } from './stop-emergency-access.js';
export type { StopAccessInput } from './stop-emergency-access.js';
export { stopExpiredGrants } from './stop-expired-grants.js';
export { startEmergencySweeper } from './emergency-sweeper.js';
export type { SweeperLogger, SweeperOptions } from './emergency-sweeper.js';
export {
  listGrantsForReview,
  MAX_REVIEW_PAGE,
  readReviewDecision,
  reviewGrant,
} from './review-grant.js';
export type { ReviewDecision, ReviewInput } from './review-grant.js';
export { BREAK_GLASS_NOTICE, listNotifications } from './notifications.js';
export type { BreakGlassPayload, Notification, NotificationFilter } from './notifications.js';
