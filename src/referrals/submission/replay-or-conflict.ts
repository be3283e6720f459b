// Step 6b — idempotency: the same message again gets the stored answer; another message under its identifier, 409.
import { GatewayError } from '../../kernel/index.js';
import type { ReferralRecord } from '../types.js';
import type { MessageIdentity } from './message-identity.js';
import type { MessageOutcome } from './submission-types.js';

/**
 * Why compare hashes of the canonical signed Bundle: a retry after a lost response must not create
 * a second referral, while reusing an identifier for different content is a client bug that must
 * not be papered over by answering with the first message's acknowledgement.
 */
export function replayOrConflict(
  earlier: ReferralRecord,
  identity: MessageIdentity,
): MessageOutcome {
  if (earlier.contentHash !== identity.contentHash) {
    throw new GatewayError(
      'ENLACE_MESSAGE_CONFLICT',
      'A different message with this Bundle.identifier was already accepted; use a new identifier.',
      { expression: ['Bundle.identifier'] },
    );
  }
  return { acknowledgement: earlier.acknowledgement, replayed: true };
}
