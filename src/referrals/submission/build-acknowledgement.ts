// Step 8 — acknowledge: the gateway's own signed response message (MessageHeader.response, code ok).
import { randomUUID } from 'node:crypto';
import type { Bundle, MessageHeader } from '@medplum/fhirtypes';
import { signBundle, type GatewayKeys } from '../../crypto/index.js';
import {
  GATEWAY_MESSAGE_ID_SYSTEM,
  GATEWAY_ORGANIZATION,
  MESSAGE_EVENT_SYSTEM,
  REFERRAL_MESSAGE_PROFILE,
} from './message-codes.js';

export interface AcknowledgementInput {
  /** The acknowledged message's MessageHeader id. */
  readonly respondsTo: string;
  /** The partner id the acknowledgement goes back to. */
  readonly to: string;
  /** Where that partner said it sends from (its MessageHeader.source.endpoint). */
  readonly toEndpoint: string;
  /** What the message created or changed, e.g. `Task/<referral id>`. */
  readonly focus: string;
  readonly publicUrl: string;
  readonly at: Date;
}

/**
 * A message Bundle conforming to VawReferralMessage with a single MessageHeader: no case data,
 * only which message was accepted and what it became, so it can be stored and replayed as is.
 */
export function buildAcknowledgement(input: AcknowledgementInput): Bundle {
  const headerId = randomUUID();
  const header: MessageHeader = {
    resourceType: 'MessageHeader',
    id: headerId,
    eventCoding: { system: MESSAGE_EVENT_SYSTEM, code: 'acknowledgement' },
    destination: [
      { endpoint: input.toEndpoint, receiver: { reference: `Organization/${input.to}` } },
    ],
    sender: { reference: GATEWAY_ORGANIZATION },
    source: { name: 'Enlace', endpoint: `${input.publicUrl}/fhir/$process-message` },
    response: { identifier: input.respondsTo, code: 'ok' },
    focus: [{ reference: input.focus }],
  };
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    meta: { profile: [REFERRAL_MESSAGE_PROFILE] },
    identifier: { system: GATEWAY_MESSAGE_ID_SYSTEM, value: randomUUID() },
    type: 'message',
    timestamp: input.at.toISOString(),
    entry: [{ fullUrl: `urn:uuid:${headerId}`, resource: header }],
  };
}

/** Signs as the gateway (the same Organization as the sender): the sender can prove, later and to anyone, that Enlace accepted it. */
export function signAcknowledgement(bundle: Bundle, keys: GatewayKeys, at: Date): Promise<Bundle> {
  const { privateKey, alg, kid } = keys.signing;
  return signBundle(bundle, { privateKey, alg, kid }, { reference: GATEWAY_ORGANIZATION }, at);
}
