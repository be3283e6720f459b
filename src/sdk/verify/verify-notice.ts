// Verifies a notice (task-update, acknowledgement, consent-revoked, break-glass): a message the gateway signed for this institution.
import type { Bundle, MessageHeader, Resource } from '@medplum/fhirtypes';
import { EnlaceVerificationError } from '../errors.js';
import type { GatewayKeys } from '../trust/gateway-keys.js';
import {
  DELIVERY_SEQUENCE_EXTENSION,
  NOTICE_SYSTEM,
  isOneOf,
  noticeKinds,
  type NoticeKind,
} from '../vocabulary.js';
import { verifyGatewaySigned } from './verify-gateway-signed.js';

export interface VerifiedNotice {
  /** The notice id (`Bundle.id`): what `notices.acknowledge` takes and `Enlace-Delivery-Id` carries. */
  readonly id: string;
  readonly kind: NoticeKind;
  /** For notices about a referral: its Task id and the notice's number in that referral's order. */
  readonly referral: { readonly taskId: string; readonly sequence: number } | undefined;
  /** When the gateway queued it (the same at every attempt and every read). */
  readonly queuedAt: string;
  /** What it is about: the Task as of that version, the recipient's signed acknowledgement, a Parameters. */
  readonly content: Resource;
  /** The signed message itself, to keep as proof of what the gateway said. */
  readonly message: Bundle;
}

function sequenceOf(header: MessageHeader): VerifiedNotice['referral'] {
  const extension = header.extension?.find((e) => e.url === DELIVERY_SEQUENCE_EXTENSION);
  if (extension === undefined) return undefined;
  const part = (url: string) => extension.extension?.find((e) => e.url === url);
  const taskId = /^Task\/(.+)$/.exec(part('referral')?.valueReference?.reference ?? '')?.[1];
  const sequence = part('number')?.valuePositiveInt;
  if (taskId === undefined || sequence === undefined) throw new Error('a malformed sequence');
  return { taskId, sequence };
}

export async function verifyNotice(
  message: Bundle,
  verifier: { readonly gatewayKeys: GatewayKeys; readonly me: string; readonly now: Date },
): Promise<VerifiedNotice> {
  await verifyGatewaySigned(message, verifier.gatewayKeys, verifier.now, 'notice');
  try {
    const [headerEntry, contentEntry] = message.entry ?? [];
    const header = headerEntry?.resource;
    const content = contentEntry?.resource;
    if (header?.resourceType !== 'MessageHeader' || content === undefined) {
      throw new Error('not a MessageHeader and its content');
    }
    const kind = header.eventCoding?.system === NOTICE_SYSTEM ? header.eventCoding.code : undefined;
    if (!isOneOf(noticeKinds, kind)) throw new Error('not a notice kind');
    // Why: a notice signed for another institution, replayed here, would say nothing about ours.
    if (header.destination?.[0]?.receiver?.reference !== `Organization/${verifier.me}`) {
      throw new Error('the notice is for another institution');
    }
    if (header.focus?.[0]?.reference !== contentEntry?.fullUrl)
      throw new Error('focus is not entry 2');
    const id = message.id;
    if (id === undefined || message.identifier?.value !== id || message.timestamp === undefined) {
      throw new Error('the notice has no id or time');
    }
    return {
      id,
      kind,
      referral: sequenceOf(header),
      queuedAt: message.timestamp,
      content,
      message,
    };
  } catch (cause) {
    throw new EnlaceVerificationError('notice', { cause });
  }
}
