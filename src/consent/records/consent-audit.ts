// The AuditEvents of consent interactions (BALP rest): who acted on which consent, about which pseudonym.
import type { AuditEvent, Coding } from '@medplum/fhirtypes';
import {
  auditSubtype,
  auditType,
  buildAuditEvent,
  type AuditActor,
  type AuditSubject,
} from '../../audit/index.js';
import { PSEUDONYM_SYSTEM } from '../types.js';

export type ConsentInteraction =
  'create' | 'read' | 'vread' | 'history' | 'search' | 'patch' | 'operation';

const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';

const subtypes: Readonly<Record<ConsentInteraction, Coding>> = {
  create: auditSubtype.create,
  read: auditSubtype.read,
  vread: { system: RESTFUL_INTERACTION, code: 'vread', display: 'vread' },
  history: { system: RESTFUL_INTERACTION, code: 'history-instance', display: 'history instance' },
  search: auditSubtype.search,
  patch: auditSubtype.patch,
  operation: auditSubtype.operation,
};

const actions: Readonly<Record<ConsentInteraction, NonNullable<AuditEvent['action']>>> = {
  create: 'C',
  read: 'R',
  vread: 'R',
  history: 'R',
  search: 'E',
  patch: 'U',
  operation: 'E',
};

/** BALP's patient entity: the survivor, by pseudonym only. */
export function survivorEntity(pseudonym: string): AuditSubject {
  return {
    identifier: { system: PSEUDONYM_SYSTEM, value: pseudonym },
    type: {
      system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
      code: '1',
      display: 'Person',
    },
    role: {
      system: 'http://terminology.hl7.org/CodeSystem/object-role',
      code: '1',
      display: 'Patient',
    },
  };
}

export interface ConsentAuditInput {
  readonly interaction: ConsentInteraction;
  readonly actor: AuditActor;
  readonly recorded: Date;
  /** The consent's reference, e.g. `Consent/<id>` or `Consent/<id>/_history/<v>`. */
  readonly consent?: string;
  /** Never the partner's identifier: the gateway's pseudonym. */
  readonly pseudonym?: string;
  /** For refusals: the stable error code and the message the client saw. */
  readonly refusal?: string;
  readonly description?: string;
  readonly requestId?: string;
}

export function buildConsentAuditEvent(input: ConsentAuditInput): AuditEvent {
  const entities: AuditSubject[] = [];
  if (input.consent !== undefined) {
    entities.push({
      reference: input.consent,
      ...(input.description === undefined ? {} : { description: input.description }),
    });
  } else if (input.description !== undefined) {
    entities.push({ description: input.description });
  }
  if (input.pseudonym !== undefined) entities.push(survivorEntity(input.pseudonym));
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
