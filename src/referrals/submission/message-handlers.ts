// The handler table: which message events this gateway processes. Others plug in with a spread copy.
import { handleAcknowledgement } from './handle-acknowledgement.js';
import { handleReferralRequest } from './handle-referral-request.js';
import type { MessageHandlers } from './submission-types.js';

/**
 * `referral-update` and `referral-cancel` belong to the Task workflow and are added where the app is
 * composed: `{ ...messageHandlers, 'referral-update': …, 'referral-cancel': … }`. An event with no
 * handler is refused with ENLACE_MESSAGE_EVENT_UNSUPPORTED.
 */
export const messageHandlers: MessageHandlers = Object.freeze({
  'referral-request': handleReferralRequest,
  acknowledgement: handleAcknowledgement,
});
