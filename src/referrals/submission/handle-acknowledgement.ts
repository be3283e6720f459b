// The acknowledgement event: a recipient's own signed receipt of a referral, stored and forwarded to the sender.
import { createHash } from 'node:crypto';
import type { Bundle } from '@medplum/fhirtypes';
import { canonicalJsonBytes, type JsonValue, type PayloadVault } from '../../crypto/index.js';
import { GatewayError } from '../../kernel/index.js';
import { enqueueDelivery } from '../outbox.js';
import {
  findReferral,
  findReferralsByHeaderId,
  openRecipientAcknowledgement,
  setRecipientAcknowledgement,
} from '../referral-repository.js';
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
  const previous = await storedAcknowledgement(deps.vault, referral, identity);
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
      if (
        current !== undefined &&
        (await storedAcknowledgement(deps.vault, current, identity)) === 'same'
      ) {
        return;
      }
      await setRecipientAcknowledgement(unit.db, deps.vault, referral.id, message.bundle, at);
      await enqueueDelivery(
        unit.db,
        {
          recipient: referral.sender,
          kind: 'acknowledgement',
          referralId: referral.id,
          // The recipient's signed message as received: the sender's proof of receipt.
          payload: message.bundle,
          idempotencyKey: `${referral.id}:acknowledgement`,
        },
        at,
        deps.vault,
      );
      await unit.audit.append(audit);
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await findReferral(deps.store.db, referral.id);
    if (
      winner === undefined ||
      (await storedAcknowledgement(deps.vault, winner, identity)) !== 'same'
    ) {
      throw conflict();
    }
    return answer(accepted, winner, deps, true);
  }
  return answer(accepted, referral, deps, false);
};

const RESPONSE_IDENTIFIER = 'Bundle.entry[0].resource.response.identifier';

/**
 * FHIR Messaging (R4 MessageHeader.response.identifier): a response names the MessageHeader.id of
 * the message it answers, so that is what finds the referral; `focus`, when present, must name the
 * same referral's Task. Why one answer for "no such message" and "not yours": a partner must not
 * learn which messages passed between other institutions. Only the referral's recipient may
 * acknowledge it, and only back to its sender.
 */
async function acknowledgedReferral(
  accepted: AcceptedMessage,
  deps: Pick<SubmissionDeps, 'store'>,
): Promise<ReferralRecord> {
  const { header } = accepted.message;
  const respondsTo = header.response?.identifier;
  if (typeof respondsTo !== 'string' || respondsTo.length === 0) {
    throw new GatewayError(
      'ENLACE_MESSAGE_INVALID',
      "An acknowledgement names the message it answers: MessageHeader.response.identifier must be the referral request's MessageHeader.id.",
      { expression: [RESPONSE_IDENTIFIER] },
    );
  }
  const focus = header.focus ?? [];
  if (focus.length > 1) {
    throw new GatewayError(
      'ENLACE_MESSAGE_INVALID',
      'An acknowledgement focuses on at most one referral Task.',
      { expression: ['Bundle.entry[0].resource.focus'] },
    );
  }
  const named = focus.length === 0 ? undefined : (TASK.exec(focus[0]?.reference ?? '')?.[1] ?? '');
  const candidates = await findReferralsByHeaderId(
    deps.store.db,
    accepted.sender.partner.id,
    respondsTo,
    named,
  );
  const referral = candidates[0];
  if (referral === undefined) {
    if (named !== undefined) {
      const answered = await findReferralsByHeaderId(
        deps.store.db,
        accepted.sender.partner.id,
        respondsTo,
      );
      if (answered.length > 0) {
        throw new GatewayError(
          'ENLACE_MESSAGE_INVALID',
          'MessageHeader.focus must name Task/<id> of the referral whose request MessageHeader.response.identifier answers.',
          { expression: ['Bundle.entry[0].resource.focus'] },
        );
      }
    }
    throw new GatewayError(
      'ENLACE_RESOURCE_NOT_FOUND',
      'MessageHeader.response.identifier must be the MessageHeader.id of a referral request sent to your institution.',
      { expression: [RESPONSE_IDENTIFIER] },
    );
  }
  if (candidates.length > 1) {
    throw new GatewayError(
      'ENLACE_MESSAGE_INVALID',
      'More than one referral sent to your institution had this MessageHeader.id: name its Task in MessageHeader.focus.',
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

async function storedAcknowledgement(
  vault: Pick<PayloadVault, 'open'>,
  referral: ReferralRecord,
  identity: MessageIdentity,
): Promise<'none' | 'same'> {
  const stored = await openRecipientAcknowledgement(vault, referral);
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
