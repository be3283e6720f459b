// The AuditEvents of auditors' own searches and reads (BALP rest): who looked at the ledger, for what.
import type { AuditEvent } from '@medplum/fhirtypes';
import { PSEUDONYM_SYSTEM } from '../../kernel/index.js';
import { auditSubtype, auditType } from '../audit-codes.js';
import { buildAuditEvent, type AuditActor, type AuditSubject } from '../build-audit-event.js';

const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const MAX_DESCRIPTION = 1000;
const MAX_NAMES = 20;

const systemObject = { system: ENTITY_TYPE, code: '2', display: 'System Object' };

export interface AuditorAccessInput {
  readonly interaction: 'search' | 'read';
  readonly actor: AuditActor;
  readonly recorded: Date;
  readonly requestId: string;
  /** A read: the id asked for, referenced only when it is a valid id. */
  readonly eventId?: string;
  /** A search: what it selected, spelt with pseudonyms only and foreign identifiers withheld (toAuditedQuery). */
  readonly query?: string;
  /** A refused search: only the names of its parameters, since their values were not read. */
  readonly parameterNames?: readonly string[];
  readonly matched?: number;
  /** The survivors the search or the event read concerns, by pseudonym. */
  readonly pseudonyms?: readonly string[];
  /** For refusals: the stable error code and the text the client saw (describeRefusal). */
  readonly refusal?: string;
}

/** The parameter names of a search: never their values, which may hold her identifier. */
export const parameterNames = (query: URLSearchParams): string[] =>
  [...new Set(query.keys())].slice(0, MAX_NAMES).map((name) => name.slice(0, 64));

function accessed(input: AuditorAccessInput): AuditSubject {
  if (input.interaction === 'read') {
    return {
      ...(input.eventId === undefined
        ? { description: 'AuditEvent read with an id that is not a FHIR id' }
        : { reference: `AuditEvent/${input.eventId}` }),
      type: systemObject,
      role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    };
  }
  const matched = input.matched === undefined ? '' : ` (${input.matched} on this page)`;
  const description =
    input.query === undefined
      ? `AuditEvent search with parameters: ${(input.parameterNames ?? []).join(', ') || 'none'}`
      : `AuditEvent?${input.query}${matched}`;
  return {
    type: systemObject,
    role: { system: OBJECT_ROLE, code: '24', display: 'Query' },
    description: description.slice(0, MAX_DESCRIPTION),
  };
}

/** BALP's patient entity, so her disclosure report shows that an auditor looked at her events. */
const survivor = (pseudonym: string): AuditSubject => ({
  identifier: { system: PSEUDONYM_SYSTEM, value: pseudonym },
  type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
  role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
});

export function buildAuditorAccessEvent(input: AuditorAccessInput): AuditEvent {
  return buildAuditEvent({
    type: auditType.rest,
    subtype: input.interaction === 'read' ? auditSubtype.read : auditSubtype.search,
    action: input.interaction === 'read' ? 'R' : 'E',
    outcome: input.refusal === undefined ? '0' : '4',
    ...(input.refusal === undefined ? {} : { outcomeDesc: input.refusal }),
    recorded: input.recorded,
    agents: [input.actor],
    entities: [accessed(input), ...(input.pseudonyms ?? []).map(survivor)],
    requestId: input.requestId,
  });
}

/** The pseudonyms an event names (its patient entities), for the record of reading it. */
export const pseudonymsIn = (event: AuditEvent): string[] =>
  (event.entity ?? []).flatMap((entity) =>
    entity.what?.identifier?.system === PSEUDONYM_SYSTEM && entity.what.identifier.value
      ? [entity.what.identifier.value]
      : [],
  );
