// A stored notice as its recipient receives it, pushed or pulled: the gateway-signed message built from the row.
import type { Bundle } from '@medplum/fhirtypes';
import type { GatewayKey, PayloadVault } from '../../crypto/index.js';
import { GatewayError } from '../../kernel/index.js';
import { buildNoticeMessage, isNoticeKind, signNoticeMessage } from './build-notice-message.js';
import { openDeliveryPayload } from './delivery-payload.js';
import type { DeliveryRow } from './delivery-record.js';

export interface NoticeDeps {
  readonly vault: Pick<PayloadVault, 'open'>;
  /** The gateway's signing key: every notice is signed by it. */
  readonly signingKey: GatewayKey;
  /** The gateway's public base URL, named in the MessageHeader. */
  readonly publicUrl: string;
}

export type NoticeRow = Pick<
  DeliveryRow,
  'id' | 'kind' | 'recipient' | 'referral_id' | 'referral_seq' | 'created_at' | 'payload'
>;

/** Opens the row's sealed payload and signs the notice at `at`; refuses a `referral` row. */
export async function noticeForRow(deps: NoticeDeps, row: NoticeRow, at: Date): Promise<Bundle> {
  const { kind } = row;
  if (!isNoticeKind(kind)) {
    throw new GatewayError('ENLACE_INTERNAL', `a ${kind.slice(0, 32)} delivery is not a notice`);
  }
  const content = await openDeliveryPayload(deps.vault, row);
  const message = buildNoticeMessage({
    id: row.id,
    kind,
    recipient: row.recipient,
    referralId: row.referral_id,
    sequence: row.referral_seq,
    createdAt: row.created_at,
    content,
    publicUrl: deps.publicUrl,
  });
  return signNoticeMessage(message, deps.signingKey, at);
}
