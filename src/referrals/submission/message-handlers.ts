// The handler table: which message events this gateway processes. Others plug in with a spread copy.
import { handleAcknowledgement } from './handle-acknowledgement.js';
import { handleReferralRequest } from './handle-referral-request.js';
import { handleTaskMessage } from './handle-task-message.js';
import type { MessageHandlers } from './submission-types.js';

/**
 * `referral-update` and `referral-cancel` go through the Task workflow's own checks. An event with
 * no handler (`consent-revoked` is sent by the gateway, never to it) is refused with
 * ENLACE_MESSAGE_EVENT_UNSUPPORTED.
 */
export const messageHandlers: MessageHandlers = Object.freeze({
  'referral-request': handleReferralRequest,
  acknowledgement: handleAcknowledgement,
  'referral-update': handleTaskMessage,
  'referral-cancel': handleTaskMessage,
});
