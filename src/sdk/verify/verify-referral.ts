// Verifies a delivered referral: the gateway's signed consent decision over all of it, and the sender's own signature on the message.
import type { Bundle, Coding, Provenance } from '@medplum/fhirtypes';
import { decodeProtectedHeader } from 'jose';
import {
  CONSENT_CHECK_ACTIVITY,
  GATEWAY_AGENT,
  REDACT_ACTIVITY,
  verifyDecisionProvenance,
} from '../../consent/obligations/index.js';
import { readJoseSignature, verifyBundleSignature } from '../../crypto/index.js';
import { EnlaceVerificationError } from '../errors.js';
import type { GatewayKeys } from '../trust/gateway-keys.js';
import type { SenderKey, SenderKeys } from '../trust/sender-keys.js';
import { readReferralContent, type ReferralContent } from './read-referral-content.js';

export interface VerifiedReferral {
  /** The `collection` Bundle as delivered: the message, the decision, any record of removal. */
  readonly delivery: Bundle;
  /** The sender's message as delivered (entry 1). */
  readonly message: Bundle;
  readonly content: ReferralContent;
  /**
   * How the sender's signature was verified. Undefined only when consent removed part of the
   * message: the signature no longer covers what is left, the gateway drops it, and what remains
   * is vouched for by the gateway's decision signature alone.
   */
  readonly senderKey: SenderKey | undefined;
  readonly redacted: boolean;
  /** The consents the gateway relied on (`Consent/<id>/_history/<v>`). */
  readonly reliedOn: readonly string[];
  /** The gateway's account of the decision, e.g. `consent-check: permit; permitted …; removed none`. */
  readonly decision: string;
}

export interface ReferralVerifier {
  readonly gatewayKeys: GatewayKeys;
  readonly senderKeys: SenderKeys;
  /** This institution's partner id: a referral addressed elsewhere is refused. */
  readonly me: string;
  readonly now: Date;
}

const hasActivity = (resource: unknown, code: Coding): boolean =>
  (resource as Provenance | undefined)?.resourceType === 'Provenance' &&
  ((resource as Provenance).activity?.coding ?? []).some(
    (c) => c.system === code.system && c.code === code.code,
  );

const fail = (
  check: 'provenance' | 'referral' | 'sender-signature',
  why: string,
  cause?: unknown,
) => new EnlaceVerificationError(check, { cause: cause ?? new Error(why) });

export async function verifyReferral(
  delivery: Bundle,
  verifier: ReferralVerifier,
): Promise<VerifiedReferral> {
  const entries = delivery.entry ?? [];
  const messageEntry = entries[0];
  const message = messageEntry?.resource;
  if (
    delivery.type !== 'collection' ||
    message?.resourceType !== 'Bundle' ||
    message.type !== 'message'
  ) {
    throw fail('referral', 'not a delivered referral collection');
  }
  const decisions = entries.filter((e) => hasActivity(e.resource, CONSENT_CHECK_ACTIVITY));
  const provenance = decisions[0]?.resource as Provenance | undefined;
  if (decisions.length !== 1 || provenance === undefined)
    throw fail('provenance', 'no single decision');
  await checkDecision(delivery, provenance, messageEntry?.fullUrl, verifier.gatewayKeys);
  const content = readReferralContent(message);
  if (content.recipient !== verifier.me)
    throw fail('referral', 'the referral is addressed elsewhere');
  const redacted = entries.some((e) => hasActivity(e.resource, REDACT_ACTIVITY));
  let senderKey: SenderKey | undefined;
  if (message.signature !== undefined) {
    senderKey = await checkSender(message, content, verifier);
  } else if (!redacted) {
    // Why: only a recorded removal explains a missing signature; otherwise it was stripped.
    throw fail('sender-signature', 'the message is unsigned and nothing was removed');
  }
  return {
    delivery,
    message,
    content,
    senderKey,
    redacted,
    reliedOn: (provenance.policy ?? []).slice(),
    decision: provenance.activity?.text ?? '',
  };
}

/** The decision Provenance: by the gateway, targeting entry 1, its JWS over the whole collection. */
async function checkDecision(
  delivery: Bundle,
  provenance: Provenance,
  messageUrl: string | undefined,
  keys: GatewayKeys,
): Promise<void> {
  try {
    if (provenance.target.length !== 1 || provenance.target[0]?.reference !== messageUrl) {
      throw new Error('the decision does not target the delivered message');
    }
    if (!provenance.agent.some((agent) => agent.who.reference === GATEWAY_AGENT)) {
      throw new Error('the decision is not the gateway’s');
    }
    const { kid } = decodeProtectedHeader(readJoseSignature(provenance.signature?.[0]));
    if (!(await verifyDecisionProvenance(delivery, await keys.signatureJwk(kid)))) {
      throw new Error('the decision signature does not verify');
    }
  } catch (cause) {
    throw fail('provenance', 'decision', cause);
  }
}

/** The sender's signature, by a key of the institution the header names, which is also the Task's requester. */
async function checkSender(
  message: Bundle,
  content: ReferralContent,
  verifier: ReferralVerifier,
): Promise<SenderKey> {
  try {
    const task = (message.entry ?? []).find((e) => e.resource?.resourceType === 'Task')?.resource;
    const sender = `Organization/${content.sender}`;
    if (
      content.sender === '' ||
      task?.resourceType !== 'Task' ||
      task.requester?.reference !== sender
    ) {
      throw new Error('the header and the Task name different senders');
    }
    const verified = await verifyBundleSignature(
      message,
      verifier.senderKeys.resolverFor(content.sender),
      {
        now: verifier.now,
      },
    );
    if (verified.who.reference !== sender) throw new Error('Signature.who is not the sender');
    return verified.key;
  } catch (cause) {
    throw fail('sender-signature', 'sender', cause);
  }
}
