// Public face of referral submission: $process-message, its handler table and the pieces other events reuse.
export { processMessage } from './process-message.js';
export { messageHandlers } from './message-handlers.js';
export { describeMessaging, MESSAGE_DECLARATIONS } from './message-definitions.js';
export type { SubmissionDeps, SubmissionLimits } from './submission-deps.js';
export type {
  AcceptedMessage,
  MessageHandler,
  MessageHandlers,
  MessageOutcome,
  MessageRoute,
  SubmissionInput,
  SubmissionMediaType,
  SubmittedMessage,
  VerifiedSender,
} from './submission-types.js';
export { buildAcknowledgement, signAcknowledgement } from './build-acknowledgement.js';
export type { AcknowledgementInput } from './build-acknowledgement.js';
export { messageIdentity } from './message-identity.js';
export type { MessageIdentity } from './message-identity.js';
export { buildAcceptedAuditEvent } from './submission-audit.js';
export { isUniqueViolation } from './is-unique-violation.js';
export {
  FHIR_JSON_MEDIA_TYPE,
  GATEWAY_ORGANIZATION,
  JOSE_MEDIA_TYPE,
  MESSAGE_EVENT_SYSTEM,
  PROCESS_MESSAGE_DEFINITION,
} from './message-codes.js';
