// AuditEvents of break-the-glass in the IHE BALP shape: START, STOP, refusals and auditors' reviews.
import type { AuditEvent, Coding } from '@medplum/fhirtypes';
import {
  auditSubtype,
  auditType,
  buildAuditEvent,
  ENLACE_AUDIT_EVENT,
  GATEWAY_OBSERVER,
  type AuditActor,
  type AuditSubject,
} from '../../audit/index.js';
import type { GatewayError } from '../../kernel/index.js';
import { PSEUDONYM_SYSTEM } from '../types.js';
import { EMERGENCY_GRANT_SYSTEM, EMERGENCY_TREATMENT } from './emergency-codes.js';
import type { GrantRecord } from './grant-record.js';

const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';

export const reviewSubtype: Coding = {
  system: ENLACE_AUDIT_EVENT,
  code: 'emergency-access-review',
  display: 'Emergency access reviewed',
};

/** The gateway itself, as the agent that stops grants at expiry. */
export const gatewayActor: AuditActor = { reference: GATEWAY_OBSERVER, display: 'Enlace gateway' };

/** The survivor, by pseudonym only: BALP's patient entity without any identifying data. */
export function survivorEntity(pseudonym: string): AuditSubject {
  return {
    identifier: { system: PSEUDONYM_SYSTEM, value: pseudonym },
    type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
    role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
  };
}

export function grantEntity(id: string, description?: string): AuditSubject {
  return {
    identifier: { system: EMERGENCY_GRANT_SYSTEM, value: id },
    type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
    role: { system: OBJECT_ROLE, code: '13', display: 'Security Resource' },
    ...(description === undefined ? {} : { description }),
  };
}

function grantSubjects(grant: GrantRecord, description: string): AuditSubject[] {
  return [survivorEntity(grant.pseudonym), grantEntity(grant.id, description)];
}

export function buildStartEvent(
  grant: GrantRecord,
  actor: AuditActor,
  requestId: string,
): AuditEvent {
  const risk = grant.riskLevel === undefined ? 'risk not stated' : `risk ${grant.riskLevel}`;
  return buildAuditEvent({
    type: auditType.securityAlert,
    subtype: auditSubtype.emergencyOverrideStarted,
    action: 'E',
    outcome: '0',
    recorded: grant.grantedAt,
    agents: [actor],
    entities: grantSubjects(
      grant,
      `break-the-glass until ${grant.expiresAt.toISOString()}, ${risk}`,
    ),
    requestId,
    purposeOfEvent: [EMERGENCY_TREATMENT],
  });
}

export interface StopContext {
  readonly actor: AuditActor;
  readonly at: Date;
  readonly reason: 'expired' | 'ended by the institution';
  readonly requestId?: string;
}

export function buildStopEvent(grant: GrantRecord, context: StopContext): AuditEvent {
  return buildAuditEvent({
    type: auditType.securityAlert,
    subtype: auditSubtype.emergencyOverrideStopped,
    action: 'E',
    outcome: '0',
    recorded: context.at,
    agents: [context.actor],
    entities: grantSubjects(grant, `break-the-glass ${context.reason}`),
    ...(context.requestId === undefined ? {} : { requestId: context.requestId }),
    purposeOfEvent: [EMERGENCY_TREATMENT],
  });
}

export interface RefusalContext {
  readonly subtype: Coding;
  readonly actor: AuditActor;
  readonly at: Date;
  readonly requestId: string;
  /** The survivor's pseudonym when the request named her well enough to compute it. */
  readonly pseudonym?: string;
  readonly grantId?: string;
}

/** A refused break-the-glass step or review: outcome 4, the error code and text the caller saw. */
export function buildRefusalEvent(error: GatewayError, context: RefusalContext): AuditEvent {
  const entities: AuditSubject[] = [];
  if (context.pseudonym !== undefined) entities.push(survivorEntity(context.pseudonym));
  if (context.grantId !== undefined) entities.push(grantEntity(context.grantId));
  return buildAuditEvent({
    type: auditType.securityAlert,
    subtype: context.subtype,
    action: 'E',
    outcome: '4',
    outcomeDesc: `${error.code}: ${error.message}`,
    recorded: context.at,
    agents: [context.actor],
    entities,
    requestId: context.requestId,
    purposeOfEvent: [EMERGENCY_TREATMENT],
  });
}

export function buildReviewEvent(
  grant: GrantRecord,
  actor: AuditActor,
  at: Date,
  requestId: string,
): AuditEvent {
  return buildAuditEvent({
    type: auditType.securityAlert,
    subtype: reviewSubtype,
    action: 'U',
    outcome: '0',
    recorded: at,
    agents: [actor],
    entities: [
      grantEntity(grant.id, `review ${grant.review?.outcome ?? 'recorded'}`),
      survivorEntity(grant.pseudonym),
    ],
    requestId,
  });
}
