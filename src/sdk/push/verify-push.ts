// Verifies a rest-hook push from the gateway: headers, the JWE only this institution opens, and the signed content inside.
import type { Session } from '../session.js';
import { requireDecryptionKey } from '../session.js';
import { EnlaceVerificationError } from '../errors.js';
import { isOneOf, noticeKinds, type NoticeKind } from '../vocabulary.js';
import { openJwe } from '../verify/open-jwe.js';
import { verifyNotice, type VerifiedNotice } from '../verify/verify-notice.js';
import { verifyReferral, type VerifiedReferral } from '../verify/verify-referral.js';

/** A push request as any HTTP server hands it over: its headers and its body as text. */
export interface PushRequest {
  readonly headers: Headers | Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: string;
}

interface PushCommon {
  /** `Enlace-Delivery-Id`. */
  readonly deliveryId: string;
  /** The same at every attempt: store it and discard a repeat (delivery is at least once). */
  readonly idempotencyKey: string;
  /** `Enlace-Delivery-Sequence`, for deliveries about a referral. */
  readonly sequence: number | undefined;
}

export type PushedDelivery =
  | (PushCommon & {
      readonly kind: 'referral';
      /**
       * The referral's Task id as the `Idempotency-Key` names it (`<id>:referral`). Headers are not
       * signed: read the Task (tasks.read) before acting on the id alone.
       */
      readonly taskId: string | undefined;
      readonly referral: VerifiedReferral;
    })
  | (PushCommon & { readonly kind: NoticeKind; readonly notice: VerifiedNotice });

const header = (headers: PushRequest['headers'], name: string): string | undefined => {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name.toLowerCase()] ?? headers[name];
  return typeof value === 'string' ? value : value?.[0];
};

const refuse = (why: string, cause?: unknown) =>
  new EnlaceVerificationError('push', { cause: cause ?? new Error(why) });

/**
 * Answer 2xx only after this resolves and the delivery is stored; on EnlaceVerificationError
 * answer 400 and keep nothing: a push carries no credential, only what the gateway signed inside
 * a JWE to this institution's key proves it.
 */
export async function verifyPush(session: Session, request: PushRequest): Promise<PushedDelivery> {
  const type = header(request.headers, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  const kind = header(request.headers, 'enlace-delivery-kind');
  const deliveryId = header(request.headers, 'enlace-delivery-id');
  const idempotencyKey = header(request.headers, 'idempotency-key');
  const sequenceText = header(request.headers, 'enlace-delivery-sequence');
  const sequence = sequenceText === undefined ? undefined : Number(sequenceText);
  if (type !== 'application/jose') throw refuse('not application/jose');
  if (deliveryId === undefined || idempotencyKey === undefined) throw refuse('headers missing');
  if (sequence !== undefined && !Number.isSafeInteger(sequence)) throw refuse('bad sequence');
  const common = { deliveryId, idempotencyKey, sequence };
  const opened = await openJwe(request.body, requireDecryptionKey(session), 'push');
  const me = await session.me();
  if (kind === 'referral') {
    const referral = await verifyReferral(opened, {
      gatewayKeys: session.gatewayKeys,
      senderKeys: session.senderKeys,
      me,
      now: session.now(),
    });
    const taskId = /^([A-Za-z0-9\-.]{1,64}):referral$/.exec(idempotencyKey)?.[1];
    return { ...common, kind, taskId, referral };
  }
  if (!isOneOf(noticeKinds, kind)) throw refuse('unknown Enlace-Delivery-Kind');
  const notice = await verifyNotice(opened, {
    gatewayKeys: session.gatewayKeys,
    me,
    now: session.now(),
  });
  // Why: the headers route the delivery; they must say what the signed notice says.
  if (notice.id !== deliveryId || notice.kind !== kind) throw refuse('headers and notice disagree');
  if (sequence !== undefined && notice.referral?.sequence !== sequence) {
    throw refuse('the sequence header and the notice disagree');
  }
  return { ...common, kind, notice };
}
