// Public face of referrals: submission, the Task loop, retrieval and delivery, each with its own index.
export * from './submission/index.js';
export * from './task-updates/index.js';
export * from './retrieval/index.js';
export * from './delivery/index.js';
export { findEncryptionKey, requireEncryptionKey } from './encryption-keys.js';
export { enqueueDelivery, deliveryKinds } from './outbox.js';
export { openRecipientAcknowledgement, openTask } from './referral-repository.js';
export { sealLegacyReferralRecords } from './seal-legacy-records.js';
export type { DeliveryKind, NewDelivery } from './outbox.js';
export {
  checkTransition,
  isFinal,
  isReferralStatus,
  REFERRAL_STATUS_SYSTEM,
} from './task-workflow.js';
export type { Party, ReferralStatus } from './task-workflow.js';
export type {
  MessageEventCode,
  PackageForRecipient,
  RecipientPackage,
  ReferralRecord,
  TaskVersionChange,
} from './types.js';
