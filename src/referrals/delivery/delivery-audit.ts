// AuditEvents for pushes: DICOM "Export" (data leaving the gateway), agent the gateway, destination the recipient.
import type { AuditEvent, Coding } from '@medplum/fhirtypes';
import {
  auditSubtype,
  auditType,
  buildAuditEvent,
  DCM,
  GATEWAY_OBSERVER,
  type AuditActor,
  type AuditOutcome,
  type AuditSubject,
} from '../../audit/index.js';

export const DELIVERY_ID_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/delivery-id';

/** DCM 110106 Export: data sent out of the system (the BALP patterns cover reads, not pushes). */
const EXPORT: Coding = { system: DCM, code: '110106', display: 'Export' };

const GATEWAY: AuditActor = { reference: GATEWAY_OBSERVER, display: 'Enlace delivery worker' };

export interface AuditedDelivery {
  readonly id: string;
  readonly recipient: string;
  readonly kind: string;
  readonly referral_id: string | null;
  readonly attempts: number;
}

function deliveryEntities(delivery: AuditedDelivery): AuditSubject[] {
  return [
    {
      identifier: { system: DELIVERY_ID_SYSTEM, value: delivery.id },
      description: `${delivery.kind} delivery`,
    },
    ...(delivery.referral_id === null ? [] : [{ reference: `Bundle/${delivery.referral_id}` }]),
  ];
}

/** A push that the recipient accepted (outcome 0) or that was given up (8; 4 when consent withdrew it). */
export function buildPushAudit(
  delivery: AuditedDelivery,
  at: Date,
  outcome: AuditOutcome,
  outcomeDesc?: string,
): AuditEvent {
  return buildAuditEvent({
    type: EXPORT,
    action: 'R',
    outcome,
    ...(outcomeDesc === undefined ? {} : { outcomeDesc }),
    recorded: at,
    agents: [
      GATEWAY,
      { reference: `Organization/${delivery.recipient}`, requestor: false, display: 'destination' },
    ],
    entities: deliveryEntities(delivery),
  });
}

/** An operator sending a dead delivery back to the queue. */
export function buildRetryAudit(
  delivery: AuditedDelivery,
  actor: AuditActor,
  at: Date,
  requestId?: string,
): AuditEvent {
  return buildAuditEvent({
    type: auditType.rest,
    subtype: auditSubtype.update,
    action: 'U',
    outcome: '0',
    recorded: at,
    agents: [actor],
    entities: deliveryEntities(delivery).map((entity, index) =>
      index === 0 ? { ...entity, description: `${delivery.kind} delivery requeued` } : entity,
    ),
    ...(requestId === undefined ? {} : { requestId }),
  });
}

export type NoticeInteraction = 'read' | 'acknowledge';

export interface NoticeAuditInput {
  readonly interaction: NoticeInteraction;
  readonly actor: AuditActor;
  readonly recorded: Date;
  /** The notices returned or acknowledged; none for a refusal. */
  readonly notices: readonly {
    readonly id: string;
    readonly kind: string;
    readonly referralId: string | null;
  }[];
  /** What was asked or done, in words: never content. */
  readonly description: string;
  readonly requestId?: string;
  /** For refusals: the stable error code and the text the client saw (describeRefusal). */
  readonly refusal?: string;
}

/** An institution reading its notice inbox (BALP rest operation, E) or acknowledging notices (U). */
export function buildNoticeAudit(input: NoticeAuditInput): AuditEvent {
  const referrals = [...new Set(input.notices.flatMap((notice) => notice.referralId ?? []))].sort();
  return buildAuditEvent({
    type: auditType.rest,
    subtype: auditSubtype.operation,
    action: input.interaction === 'read' ? 'E' : 'U',
    outcome: input.refusal === undefined ? '0' : '4',
    ...(input.refusal === undefined ? {} : { outcomeDesc: input.refusal }),
    recorded: input.recorded,
    agents: [input.actor],
    entities: [
      { description: input.description },
      ...input.notices.map((notice) => ({
        identifier: { system: DELIVERY_ID_SYSTEM, value: notice.id },
        description: `${notice.kind} notice`,
      })),
      ...referrals.map((id) => ({ reference: `Bundle/${id}` })),
    ],
    ...(input.requestId === undefined ? {} : { requestId: input.requestId }),
  });
}
