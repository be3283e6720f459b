// What `$process-message` tells the CapabilityStatement: the events its handler table takes, how they travel, how a retry behaves.
import type { MessageDeclaration, MessagingDeclaration } from '../../fhir/index.js';
import type { MessageEvent } from '../../partners/index.js';
import { PROFILE_URLS } from '../../profiles/index.js';
import { MESSAGE_EVENT_SYSTEM } from './message-codes.js';
import type { MessageHandlers } from './submission-types.js';

const event = (code: MessageEvent, display: string): MessageDeclaration['event'] => ({
  system: MESSAGE_EVENT_SYSTEM,
  code,
  display,
});

const ONE_TASK = [{ code: 'Task' as const, min: 1, max: '1' }];

/**
 * Each event as profiles/CodeSystem-message-event.json defines it (a unit test holds the two
 * together), with what a sender must know to retry safely.
 */
const MESSAGES: Readonly<Record<MessageEvent, MessageDeclaration>> = {
  'referral-request': {
    event: event('referral-request', 'Referral request'),
    description:
      "A new referral: the message carries the referral Task, the ServiceRequest and the survivor's minimal data. The Bundle follows the profile VawReferralMessage; it is idempotent by Bundle.identifier: the same message again is answered with the original acknowledgement and creates nothing; another message under a used identifier is refused (409).",
    category: 'consequence',
    focus: [{ code: 'Task', profile: PROFILE_URLS.referralTask, min: 1, max: '1' }],
    responseRequired: 'always',
  },
  'referral-update': {
    event: event('referral-update', 'Referral update'),
    description:
      "A change to an existing referral's Task (received, accepted, rejected, in progress, completed, failed). It is checked as PATCH /fhir/Task/{id} is; a transition already made is refused (409): after a lost response, read the Task to learn whether the change was applied.",
    category: 'consequence',
    focus: ONE_TASK,
    responseRequired: 'always',
  },
  'referral-cancel': {
    event: event('referral-cancel', 'Referral cancellation'),
    description:
      'The sender cancels a referral it made. It may until the referral is completed; a referral already cancelled is refused (409): after a lost response, read the Task.',
    category: 'consequence',
    focus: ONE_TASK,
    responseRequired: 'always',
  },
  'consent-revoked': {
    event: event('consent-revoked', 'Consent revoked'),
    description:
      'A survivor revoked a consent; recipients must stop using the data it permitted. Sent by the gateway, never to it.',
    category: 'notification',
    responseRequired: 'never',
  },
  acknowledgement: {
    event: event('acknowledgement', 'Acknowledgement'),
    description:
      "The response to a message (MessageHeader.response): accepted, or refused with an OperationOutcome. The gateway answers every message it accepts with one, signed with its key (/.well-known/jwks.json); a recipient's own acknowledgement of a referral is stored once for the referral's sender, and the same acknowledgement again is answered as the first time.",
    category: 'notification',
    responseRequired: 'never',
  },
};

const DOCUMENTATION = [
  'Messages are FHIR Bundles of type message (first entry the MessageHeader), signed by the sending institution with a detached JWS over their RFC 8785 canonical JSON in Bundle.signature, and sent as a compact JWE (application/jose) encrypted to the gateway key published at /.well-known/jwks.json, with a SMART Backend Services token (scope system/Bundle.c).',
  "The exchange is synchronous: $process-message answers 200 with the gateway's signed acknowledgement message once the message is stored, or an OperationOutcome (4xx) when it is refused, in which case nothing was stored.",
  "Reliability: every message carries a unique Bundle.identifier. A sender that gets no answer sends the same message again until it holds an acknowledgement; the gateway remembers identifiers for as long as it keeps the referral, so a referral is created exactly once. Delivery to the recipient is then the gateway's: pushed to its Endpoint with retries, or pulled from GET /fhir/Task.",
].join('\n\n');

/** The messaging the gateway serves for this handler table: only the events that have a handler. */
export function describeMessaging(handlers: MessageHandlers): MessagingDeclaration {
  const receives = (Object.keys(MESSAGES) as MessageEvent[])
    .filter((code) => handlers[code] !== undefined)
    .map((code) => MESSAGES[code]);
  return {
    documentation: DOCUMENTATION,
    receives,
    sends: [MESSAGES.acknowledgement],
    response: {
      event: 'acknowledgement',
      situation:
        'Always, synchronously, for a message the gateway accepts (MessageHeader.response.code ok); a refusal is an OperationOutcome instead.',
    },
  };
}

/** Every event the gateway knows, as declared (for the test that holds them to the CodeSystem). */
export const MESSAGE_DECLARATIONS = MESSAGES;
