// The AuditEvent of a consent decision: who would receive, about which pseudonym, for what, relying on what.
import type { AuditEvent, Coding } from '@medplum/fhirtypes';
import {
  auditSubtype,
  auditType,
  buildAuditEvent,
  ENLACE_AUDIT_EVENT,
  type AuditActor,
  type AuditSubject,
} from '../../audit/index.js';
import { ORGANIZATION_ROLE_SYSTEM } from '../../partners/index.js';
import { EMERGENCY_GRANT_SYSTEM } from '../emergency/index.js';
import { survivorEntity } from '../records/index.js';
import { PURPOSE_SYSTEM, type Decision, type DecisionRequest } from '../types.js';
import { describeDecision } from './describe-decision.js';

export const consentDecisionType: Coding = {
  system: ENLACE_AUDIT_EVENT,
  code: 'consent-decision',
  display: 'Consent decision',
};

export interface DecisionAuditInput {
  readonly decision: Decision;
  readonly request: DecisionRequest;
  readonly recorded: Date;
  /** `gate` for enforcement on a send or a read, `evaluate` for the $evaluate operation. */
  readonly via: 'gate' | 'evaluate';
  /** Who asked, when known (the sender, the evaluating partner). */
  readonly requestor?: AuditActor;
  readonly requestId?: string;
}

export function buildDecisionAuditEvent(input: DecisionAuditInput): AuditEvent {
  const { decision, request } = input;
  const agents: AuditActor[] = [];
  if (input.requestor !== undefined) agents.push({ ...input.requestor, requestor: true });
  agents.push({
    reference: `Organization/${request.actor.organization}`,
    requestor: input.requestor === undefined,
    role: { system: ORGANIZATION_ROLE_SYSTEM, code: request.actor.role },
  });
  const entities: AuditSubject[] = [];
  const survivor = request.survivor[0];
  if (survivor !== undefined) entities.push(survivorEntity(survivor));
  for (const reference of decision.reliedOn) entities.push({ reference, description: 'relied on' });
  for (const reference of decision.conflicts) {
    entities.push({ reference, description: 'in conflict' });
  }
  if (decision.emergencyGrant !== undefined) {
    entities.push({
      identifier: { system: EMERGENCY_GRANT_SYSTEM, value: decision.emergencyGrant },
      description: 'break-the-glass grant',
    });
  }
  return buildAuditEvent({
    type: input.via === 'gate' ? consentDecisionType : auditType.rest,
    ...(input.via === 'gate' ? {} : { subtype: auditSubtype.operation }),
    action: 'E',
    outcome: decision.outcome === 'permit' ? '0' : '4',
    outcomeDesc: `${decision.outcome}: ${describeDecision(decision)}`,
    recorded: input.recorded,
    agents,
    entities,
    purposeOfEvent: [{ system: PURPOSE_SYSTEM, code: request.purpose }],
    ...(input.requestId === undefined ? {} : { requestId: input.requestId }),
  });
}
