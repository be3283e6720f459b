// The referral-request event: consent, idempotency, one transaction, and the signed acknowledgement.
import { randomUUID } from 'node:crypto';
import { actorFromPrincipal } from '../../audit/index.js';
import { runWithConsentAudit } from '../../consent/index.js';
import { traceStep } from '../../observability/index.js';
import { findReferralByMessageKey, sealTask } from '../referral-repository.js';
import type { ReferralRecord } from '../types.js';
import { buildAcknowledgement, signAcknowledgement } from './build-acknowledgement.js';
import { buildStoredTask } from './build-stored-task.js';
import { isUniqueViolation } from './is-unique-violation.js';
import { messageIdentity } from './message-identity.js';
import { persistReferral } from './persist-referral.js';
import { readReferralContent } from './read-referral-content.js';
import { replayOrConflict } from './replay-or-conflict.js';
import { buildAcceptedAuditEvent } from './submission-audit.js';
import type { MessageHandler } from './submission-types.js';
import { survivorPseudonyms } from './survivor-pseudonyms.js';

export const handleReferralRequest: MessageHandler = async (accepted, deps) => {
  const { message, route, caller, requestId } = accepted;
  const sender = accepted.sender.partner;
  const identity = messageIdentity(message.bundle);
  // A retry is found inside the transaction, before any consent work, so a replay writes nothing
  // (not even a decision record); new messages, the common case, are not looked up twice.
  const content = readReferralContent(message, {
    sender: sender.id,
    recipient: route.recipient.id,
  });
  const survivor = survivorPseudonyms(content.survivorIdentifiers, deps.consent.pseudonymizer);
  const at = deps.clock();
  const id = randomUUID();
  // Signing and sealing happen before the transaction, so it holds its locks only for the writes.
  const acknowledgement = await traceStep('enlace.submission.acknowledge', () =>
    signAcknowledgement(
      buildAcknowledgement({
        respondsTo: message.headerId,
        to: sender.id,
        toEndpoint: message.header.source.endpoint,
        focus: `Task/${id}`,
        publicUrl: deps.publicUrl,
        at,
      }),
      deps.keys,
      at,
    ),
  );
  // Why aad = the referral id: a sealed payload copied into another row does not open there.
  const sealed = await traceStep(
    'enlace.submission.seal',
    () => deps.vault.seal(identity.canonicalBytes, id),
    { 'enlace.submission.bytes': identity.canonicalBytes.byteLength },
  );
  const task = buildStoredTask(
    content.task,
    {
      id,
      sender: sender.id,
      recipient: route.recipient.id,
      pseudonym: survivor.current,
      message: message.bundle,
    },
    at,
  );
  const record: ReferralRecord = {
    id,
    messageKey: identity.messageKey,
    contentHash: identity.contentHash,
    sender: sender.id,
    recipient: route.recipient.id,
    pseudonym: survivor.current,
    event: route.event,
    purpose: content.purpose,
    dataClasses: content.dataClasses,
    status: 'requested',
    sealedTask: await sealTask(deps.vault, id, 1, task),
    taskVersion: 1,
    payloadKeyId: sealed.keyId,
    payload: sealed.blob,
    acknowledgement,
    // What the recipient's own acknowledgement must name in MessageHeader.response.identifier.
    messageHeaderId: message.headerId,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  };
  const referral = {
    record,
    consent: {
      survivor: survivor.all,
      actor: { organization: route.recipient.id, role: route.recipient.role },
      purpose: content.purpose,
      dataClasses: content.dataClasses,
      at,
      requestId,
      requestor: actorFromPrincipal(caller),
    },
    audit: buildAcceptedAuditEvent({
      caller,
      recipient: route.recipient,
      event: route.event,
      focus: `Task/${id}`,
      pseudonym: survivor.current,
      purpose: content.purpose,
      recorded: at,
      requestId,
    }),
  };
  try {
    // Why runWithConsentAudit: a consent refusal rolls the transaction back, but its decision
    // record is evidence and is appended again on its own.
    const result = await traceStep('enlace.submission.persist', () =>
      runWithConsentAudit(deps.store, (unit) => persistReferral(unit, referral, deps)),
    );
    if (result.kind === 'existing') return replayOrConflict(result.earlier, identity);
  } catch (error) {
    // Two identical submissions racing: the unique message_key lets one win; the other replays it.
    if (!isUniqueViolation(error)) throw error;
    const winner = await findReferralByMessageKey(deps.store.db, identity.messageKey);
    if (winner === undefined) throw error;
    return replayOrConflict(winner, identity);
  }
  return { acknowledgement, replayed: false };
};
