// The acknowledgement event: a recipient's own signed receipt of a referral, stored and forwarded to the sender.
import { createHash } from 'node:crypto';
import type { Bundle } from '@medplum/fhirtypes';
import { canonicalJsonBytes, type JsonValue } from '../../crypto/index.js';
import { GatewayError } from '../../kernel/index.js';
import { enqueueDelivery } from '../outbox.js';
import { findReferral, setRecipientAcknowledgement } from '../referral-repository.js';
import type { ReferralRecord } from '../types.js';
import { buildAcknowledgement, signAcknowledgement } from './build-acknowledgement.js';
import { isUniqueViolation } from './is-unique-violation.js';
import { messageIdentity, type MessageIdentity } from './message-identity.js';
import { buildAcceptedAuditEvent } from './submission-audit.js';
import type { AcceptedMessage, MessageHandler, MessageOutcome } from './submission-types.js';
import type { SubmissionDeps } from './submission-deps.js';

const TASK = /^Task\/([A-Za-z0-9\-.]{1,64})$/;

export const handleAcknowledgement: MessageHandler = async (accepted, deps) => {
  const { message, route, caller, requestId } = accepted;
  const referral = await acknowledgedReferral(accepted, deps);
  const identity = messageIdentity(message.bundle);
  const previous = storedAcknowledgement(referral, identity);
  if (previous === 'same') return answer(accepted, referral, deps, true);
  const at = deps.clock();
  const audit = buildAcceptedAuditEvent({
    caller,
    recipient: route.recipient,
    event: route.event,
    focus: `Task/${referral.id}`,
    pseudonym: referral.pseudonym,
    purpose: referral.purpose,
    recorded: at,
    requestId,
  });
  try {
    await deps.store.transaction(async (unit) => {
      const current = await findReferral(unit.db, referral.id);
      // Why re-read inside: another acknowledgement may have committed since the first look.
      if (current !== undefined && storedAcknowledgement(current, identity) === 'same') return;
      await setRecipientAcknowledgement(unit.db, referral.id, message.bundle, at);
      await enqueueDelivery(
        unit.db,
        {
          recipient: referral.sender,
          kind: 'acknowledgement',
          referralId: referral.id,
          payload: { referral: `Task/${referral.id}`, event: 'acknowledgement' },
          idempotencyKey: `${referral.id}:acknowledgement`,
        },
        at,
      );
      await unit.audit.append(audit);
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await findReferral(deps.store.db, referral.id);
    if (winner === undefined || storedAcknowledgement(winner, identity) !== 'same') {
      throw conflict();
    }
    return answer(accepted, winner, deps, true);
  }
  return answer(accepted, referral, deps, false);
};

/**
 * Why one answer for "no such referral" and "not yours": a partner must not learn which referral
 * ids exist between other institutions. Only the referral's recipient may acknowledge it, and only
 * back to its sender.
 */
async function acknowledgedReferral(
  accepted: AcceptedMessage,
  deps: Pick<SubmissionDeps, 'store'>,
): Promise<ReferralRecord> {
  const focus = accepted.message.header.focus?.[0]?.reference ?? '';
  const id = TASK.exec(focus)?.[1];
  const referral = id === undefined ? undefined : await findReferral(deps.store.db, id);
  if (referral === undefined || referral.recipient !== accepted.sender.partner.id) {
    throw new GatewayError(
      'ENLACE_RESOURCE_NOT_FOUND',
      'MessageHeader.focus must reference Task/<id> of a referral sent to your institution.',
      { expression: ['Bundle.entry[0].resource.focus'] },
    );
  }
  if (accepted.route.recipient.id !== referral.sender) {
    throw new GatewayError(
      'ENLACE_MESSAGE_INVALID',
      "An acknowledgement goes back to the referral's sender.",
      { expression: ['Bundle.entry[0].resource.destination[0].receiver'] },
    );
  }
  return referral;
}

function storedAcknowledgement(
  referral: ReferralRecord,
  identity: MessageIdentity,
): 'none' | 'same' {
  const stored = referral.recipientAcknowledgement;
  if (stored === undefined) return 'none';
  if (hashOf(stored) === identity.contentHash) return 'same';
  throw conflict();
}

const hashOf = (bundle: Bundle): string =>
  createHash('sha256')
    .update(canonicalJsonBytes(bundle as unknown as JsonValue))
    .digest('hex');

const conflict = (): GatewayError =>
  new GatewayError(
    'ENLACE_MESSAGE_CONFLICT',
    'This referral was already acknowledged with a different message.',
    { expression: ['Bundle'] },
  );

export async function answer(
  accepted: AcceptedMessage,
  referral: ReferralRecord,
  deps: Pick<SubmissionDeps, 'keys' | 'clock' | 'publicUrl'>,
  replayed: boolean,
): Promise<MessageOutcome> {
  const at = deps.clock();
  const acknowledgement = await signAcknowledgement(
    buildAcknowledgement({
      respondsTo: accepted.message.headerId,
      to: accepted.sender.partner.id,
      toEndpoint: accepted.message.header.source.endpoint,
      focus: `Task/${referral.id}`,
      publicUrl: deps.publicUrl,
      at,
    }),
    deps.keys,
    at,
  );
  return { acknowledgement, replayed };
}
