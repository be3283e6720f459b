// The signed FHIR message every notice travels as: a MessageHeader naming the event, its sequence and the content, signed by the gateway.
import { createHash } from 'node:crypto';
import type { Bundle, Extension, MessageHeader, Resource } from '@medplum/fhirtypes';
import { signBundle, type GatewayKey } from '../../crypto/index.js';
import { GATEWAY_REFERENCE, GatewayError } from '../../kernel/index.js';
import type { DeliveryKind } from '../outbox.js';
import { DELIVERY_ID_SYSTEM } from './delivery-audit.js';
import { NOTICE_SYSTEM } from './notice-parameters.js';

/** Every kind but `referral`, whose push is the referral itself as GET /fhir/Bundle/{id} releases it. */
export type NoticeKind = Exclude<DeliveryKind, 'referral'>;

export const noticeKinds: readonly NoticeKind[] = [
  'task-update',
  'acknowledgement',
  'consent-revoked',
  'break-glass',
];

export const isNoticeKind = (kind: string): kind is NoticeKind =>
  (noticeKinds as readonly string[]).includes(kind);

/** A complex extension on the MessageHeader: `referral` (Task/<id>) and `number` (1, 2, …). */
export const DELIVERY_SEQUENCE_EXTENSION =
  'https://enlace.example.org/fhir/StructureDefinition/delivery-sequence';

export interface NoticeInput {
  /** The delivery id: the notice's id, Bundle.identifier and what a recipient acknowledges. */
  readonly id: string;
  readonly kind: NoticeKind;
  readonly recipient: string;
  readonly referralId: string | null;
  readonly sequence: number | null;
  /** When the notice was queued: the message timestamp, the same at every attempt. */
  readonly createdAt: string;
  /** The payload as stored: a Task, the recipient's signed Bundle, a Parameters notice. */
  readonly content: unknown;
  readonly publicUrl: string;
}

/**
 * Built from the stored row alone, so every push attempt and every pull of one notice carries the
 * same message (only the signature's bytes differ). Nothing in it but what the row holds: ids,
 * codes, times and the payload the change produced.
 */
export function buildNoticeMessage(input: NoticeInput): Bundle {
  const content = asResource(input.content);
  const headerId = derivedUuid(input.id, 'header');
  const contentUrl = `urn:uuid:${derivedUuid(input.id, 'content')}`;
  const header: MessageHeader = {
    resourceType: 'MessageHeader',
    id: headerId,
    ...(input.referralId === null || input.sequence === null
      ? {}
      : { extension: [sequenceExtension(input.referralId, input.sequence)] }),
    eventCoding: { system: NOTICE_SYSTEM, code: input.kind },
    // Why the inbox address: it is where the notice is held for the receiver until it is
    // acknowledged, whether it is then pushed or pulled.
    destination: [
      {
        endpoint: `${input.publicUrl}/fhir/$notices`,
        receiver: { reference: `Organization/${input.recipient}` },
      },
    ],
    sender: { reference: GATEWAY_REFERENCE },
    source: { name: 'Enlace', endpoint: `${input.publicUrl}/fhir` },
    focus: [{ reference: contentUrl }],
  };
  return {
    resourceType: 'Bundle',
    id: input.id,
    identifier: { system: DELIVERY_ID_SYSTEM, value: input.id },
    type: 'message',
    timestamp: input.createdAt,
    entry: [
      { fullUrl: `urn:uuid:${headerId}`, resource: header },
      { fullUrl: contentUrl, resource: content },
    ],
  };
}

/** Signed as the gateway, over the JCS form without `signature`, like its acknowledgements. */
export function signNoticeMessage(bundle: Bundle, key: GatewayKey, at: Date): Promise<Bundle> {
  const { privateKey, alg, kid } = key;
  return signBundle(bundle, { privateKey, alg, kid }, { reference: GATEWAY_REFERENCE }, at);
}

function sequenceExtension(referralId: string, sequence: number): Extension {
  return {
    url: DELIVERY_SEQUENCE_EXTENSION,
    extension: [
      { url: 'referral', valueReference: { reference: `Task/${referralId}` } },
      { url: 'number', valuePositiveInt: sequence },
    ],
  };
}

function asResource(value: unknown): Resource {
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as { resourceType?: unknown }).resourceType !== 'string'
  ) {
    throw new GatewayError('ENLACE_INTERNAL', 'a notice payload is not a FHIR resource');
  }
  return value as Resource;
}

/**
 * A UUID (RFC 9562 version 8, the custom layout) derived from the notice id, so the message's
 * fullUrls are the same at every build without being stored.
 */
function derivedUuid(id: string, label: string): string {
  const bytes = createHash('sha256').update(`${label}:${id}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
