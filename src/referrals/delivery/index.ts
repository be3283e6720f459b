// Public face of delivery: the push worker, its settings and sender, notices (pushed or pulled), and the operators' outbox API.
export { startDeliveryWorker } from './start-delivery-worker.js';
export type { StopDeliveryWorker } from './start-delivery-worker.js';
export {
  DELIVERY_CONTENT_TYPE,
  DELIVERY_ID_HEADER,
  DELIVERY_KIND_HEADER,
  DELIVERY_SEQUENCE_HEADER,
  ENDPOINT_NOT_ALLOWED,
  runDeliveryPass,
} from './run-delivery-pass.js';
export type { PassSummary } from './run-delivery-pass.js';
export type { DeliveryDeps } from './delivery-deps.js';
export {
  deliverySettingsFrom,
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_MAX_DELAY_MS,
} from './delivery-settings.js';
export type { DeliverySettings } from './delivery-settings.js';
export { isAddressListed, isHostAllowed, parseAllowedHosts } from './allowed-hosts.js';
export type { AllowedHosts } from './allowed-hosts.js';
export { isRestrictedAddress } from './restricted-addresses.js';
export { checkDeliveryTarget, resolveWithSystemDns } from './check-delivery-target.js';
export type { DeliveryTarget, ResolveHost, ResolvedAddress } from './check-delivery-target.js';
export { createHttpSend } from './send-delivery.js';
export type { DeliveryRequest, DeliveryResponse, SendDelivery } from './send-delivery.js';
export { backoffDelay } from './backoff.js';
export type { RandomSource } from './backoff.js';
export { CONSENT_WITHDRAWN } from './build-delivery-body.js';
export { enqueueConsentRevokedNotices } from './enqueue-consent-revoked-notices.js';
export { enqueueBreakGlassNotices } from './enqueue-break-glass-notices.js';
export { DELIVERY_ID_SYSTEM, buildNoticeAudit } from './delivery-audit.js';
export type { NoticeInteraction } from './delivery-audit.js';
export {
  DELIVERY_SEQUENCE_EXTENSION,
  buildNoticeMessage,
  isNoticeKind,
  noticeKinds,
  signNoticeMessage,
} from './build-notice-message.js';
export type { NoticeInput, NoticeKind } from './build-notice-message.js';
export { NOTICE_SYSTEM } from './notice-parameters.js';
export { openDeliveryPayload, sealLegacyDeliveryPayloads } from './delivery-payload.js';
export {
  acknowledgeNotices,
  countUnacknowledged,
  DEFAULT_NOTICE_COUNT,
  MAX_ACKNOWLEDGED,
  MAX_NOTICE_COUNT,
  readNotices,
} from './notice-inbox.js';
export type { AcknowledgedNotice, InboxDeps, NoticePage, PulledNotice } from './notice-inbox.js';
export {
  isDeliveryStatus,
  listDeliveries,
  MAX_DELIVERY_LIST,
  retryDelivery,
} from './deliveries-admin.js';
export type { DeliveryFilter } from './deliveries-admin.js';
export { deliveryStatuses } from './delivery-record.js';
export type { DeliveryStatus, DeliverySummary } from './delivery-record.js';
