// The AuditEvents of $process-message (IHE BALP: rest / operation): an accepted message, or a refusal.
import type { AuditEvent } from '@medplum/fhirtypes';
import {
  actorFromPrincipal,
  auditSubtype,
  auditType,
  buildAuditEvent,
  type AuditActor,
  type AuditSubject,
} from '../../audit/index.js';
import { PSEUDONYM_SYSTEM, PURPOSE_SYSTEM, type Purpose } from '../../consent/index.js';
import type { GatewayError, PartnerPrincipal } from '../../kernel/index.js';
import { ORGANIZATION_ROLE_SYSTEM, type Partner } from '../../partners/index.js';

const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';

export interface AcceptedAuditInput {
  readonly caller: PartnerPrincipal;
  readonly recipient: Partner;
  readonly event: string;
  /** `Task/<referral id>`: what the message created or changed. */
  readonly focus: string;
  /** The survivor's pseudonym; the raw identifier never reaches an AuditEvent. */
  readonly pseudonym?: string;
  readonly purpose?: Purpose;
  readonly recorded: Date;
  readonly requestId: string;
}

const recipientAgent = (recipient: Partner): AuditActor => ({
  reference: `Organization/${recipient.id}`,
  requestor: false,
  role: { system: ORGANIZATION_ROLE_SYSTEM, code: recipient.role },
});

export function buildAcceptedAuditEvent(input: AcceptedAuditInput): AuditEvent {
  const entities: AuditSubject[] = [
    {
      reference: input.focus,
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '3', display: 'Report' },
      description: input.event,
    },
  ];
  if (input.pseudonym !== undefined) {
    entities.push({
      identifier: { system: PSEUDONYM_SYSTEM, value: input.pseudonym },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    });
  }
  return buildAuditEvent({
    type: auditType.rest,
    subtype: auditSubtype.operation,
    action: 'E',
    outcome: '0',
    outcomeDesc: `process-message ${input.event} accepted`,
    recorded: input.recorded,
    agents: [actorFromPrincipal(input.caller), recipientAgent(input.recipient)],
    entities,
    requestId: input.requestId,
    ...(input.purpose === undefined
      ? {}
      : { purposeOfEvent: [{ system: PURPOSE_SYSTEM, code: input.purpose }] }),
  });
}

/**
 * A refused submission: who tried and why (the stable code and the text the client saw). Nothing
 * from the message itself — it may not have decrypted, and what did may be case data.
 */
export function buildRefusalAuditEvent(
  caller: PartnerPrincipal,
  error: GatewayError,
  recorded: Date,
  requestId: string,
): AuditEvent {
  return buildAuditEvent({
    type: auditType.rest,
    subtype: auditSubtype.operation,
    action: 'E',
    outcome: '4',
    outcomeDesc: `process-message refused: ${error.code}: ${error.message}`.slice(0, 500),
    recorded,
    agents: [actorFromPrincipal(caller)],
    requestId,
  });
}
