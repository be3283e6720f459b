// The AuditEvents of Task interactions (BALP rest): who read, searched or moved which referral's Task.
import type { AuditEvent, Coding } from '@medplum/fhirtypes';
import {
  auditSubtype,
  auditType,
  buildAuditEvent,
  type AuditActor,
  type AuditSubject,
} from '../../audit/index.js';
import { PSEUDONYM_SYSTEM } from '../../kernel/index.js';

const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';

export type TaskInteraction = 'read' | 'vread' | 'history' | 'search' | 'patch' | 'retrieve';

const subtypes: Readonly<Record<TaskInteraction, Coding>> = {
  read: auditSubtype.read,
  vread: auditSubtype.vread,
  history: auditSubtype.history,
  search: auditSubtype.search,
  patch: auditSubtype.patch,
  retrieve: auditSubtype.read,
};

const actions: Readonly<Record<TaskInteraction, NonNullable<AuditEvent['action']>>> = {
  read: 'R',
  vread: 'R',
  history: 'R',
  search: 'E',
  patch: 'U',
  retrieve: 'R',
};

export interface TaskAuditInput {
  readonly interaction: TaskInteraction;
  readonly actor: AuditActor;
  readonly recorded: Date;
  /** `Task/<id>`, `Task/<id>/_history/<vid>` or `Bundle/<id>`; absent for a search. */
  readonly entity?: string;
  /** What happened, e.g. `requested → received`; never case content. */
  readonly description?: string;
  readonly requestId?: string;
  /** For refusals: the stable error code and the text the client saw (describeRefusal). */
  readonly refusal?: string;
  /** Her pseudonym, when the referral is at hand: her disclosure report finds the access by it. */
  readonly pseudonym?: string;
}

export function buildTaskAuditEvent(input: TaskAuditInput): AuditEvent {
  const entities: AuditSubject[] = [];
  if (input.entity !== undefined || input.description !== undefined) {
    entities.push({
      ...(input.entity === undefined ? {} : { reference: input.entity }),
      ...(input.description === undefined ? {} : { description: input.description }),
    });
  }
  // After the Task or Bundle: readers of these events take the first entity as what was touched.
  if (input.pseudonym !== undefined) {
    entities.push({
      identifier: { system: PSEUDONYM_SYSTEM, value: input.pseudonym },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    });
  }
  return buildAuditEvent({
    type: auditType.rest,
    subtype: subtypes[input.interaction],
    action: actions[input.interaction],
    outcome: input.refusal === undefined ? '0' : '4',
    ...(input.refusal === undefined ? {} : { outcomeDesc: input.refusal }),
    recorded: input.recorded,
    agents: [input.actor],
    entities,
    ...(input.requestId === undefined ? {} : { requestId: input.requestId }),
  });
}
