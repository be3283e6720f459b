// Public face of the Enlace SDK: connect a partner system to a gateway and exchange verified referrals with it.
export { connect, DEFAULT_SCOPE } from './client.js';
export type { ConnectOptions, EnlaceClient } from './client.js';
export {
  EnlaceError,
  EnlaceOAuthError,
  EnlaceProtocolError,
  EnlaceVerificationError,
} from './errors.js';
export type { VerificationCheck } from './errors.js';
export type { SigningKey } from './auth/signing-key.js';
export { readDecryptionKey, readSigningKey } from './credentials/read-keys.js';
export type { SigningKeyFiles } from './credentials/read-keys.js';
export { readProfile } from './credentials/read-profile.js';
export { generatePartnerKeys, SIGNING_ALGORITHMS } from './credentials/generate-keys.js';
export type { GeneratedKey, GeneratedKeys, SigningAlgorithm } from './credentials/generate-keys.js';
export { createCertificateRequest } from './credentials/create-csr.js';
export { connectOperator, signInOperator } from './operator/operator-api.js';
export type {
  Delivery,
  DeliveryFilter,
  OperatorClient,
  OperatorSignIn,
} from './operator/operator-api.js';
export type { Profile } from './credentials/read-profile.js';
export { buildReferral } from './message/build-referral.js';
export type { BuiltReferral, MessageParties } from './message/build-referral.js';
export type { ReferralInput, SurvivorIdentifier } from './message/referral-input.js';
export { buildConsent } from './consent/build-consent.js';
export type { ConsentActor, ConsentInput } from './consent/build-consent.js';
export type {
  ConsentApi,
  EvaluationQuery,
  RecordedConsent,
  Revocation,
} from './consent/consent-api.js';
export type { ConsentEvaluation } from './consent/read-evaluation.js';
export type {
  OpenedReferral,
  PreparedReferral,
  ReferralsApi,
  SentReferral,
  TaskFilter,
} from './referrals/referrals-api.js';
export type { TaskRef, TasksApi } from './tasks/tasks-api.js';
export type { NoticesApi } from './notices/notices-api.js';
export type { PushedDelivery, PushRequest } from './push/verify-push.js';
export type { AuditApi, AuditOptions, LogEntry, VerifiedCheckpoint } from './audit/audit-api.js';
export { auditEventLeafHash } from './audit/audit-api.js';
export type {
  AuditExport,
  AuditExportFilter,
  AuditExportOptions,
} from './audit/export-audit-log.js';
export type { ReferralContent } from './verify/read-referral-content.js';
export type { VerifiedReferral } from './verify/verify-referral.js';
export type { VerifiedNotice } from './verify/verify-notice.js';
export type { SenderKey } from './trust/sender-keys.js';
export type { DecryptionKey } from './verify/open-jwe.js';
export type { GatewayApi } from './transport/gateway-http.js';
export * from './vocabulary.js';
