// Builds FHIR AuditEvents in the shape of IHE BALP: who acted, on what, with which outcome, from which source.
import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding } from '@medplum/fhirtypes';
import { GATEWAY_REFERENCE } from '../kernel/index.js';

/** The gateway, as everywhere it names itself (served at GET /fhir/Organization/enlace-gateway). */
export const GATEWAY_OBSERVER = GATEWAY_REFERENCE;
export const REQUEST_ID_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/request-id';

/** AuditEvent.outcome: 0 success, 4 minor failure (refused request), 8 serious, 12 major. */
export type AuditOutcome = '0' | '4' | '8' | '12';

export interface AuditActor {
  /** A reference (`Organization/…`, `Practitioner/…`, `Device/…`) or a display-only identifier. */
  readonly reference?: string;
  /** An identifier value when there is no resource to reference (a client_id, a user name). */
  readonly identifier?: { readonly system: string; readonly value: string };
  readonly display?: string;
  /** Whether this actor initiated the event. Defaults to true. */
  readonly requestor?: boolean;
  readonly role?: Coding;
  /** Where the actor called from: an IP address (AuditEvent.agent.network, type 2). */
  readonly network?: string;
}

export interface AuditSubject {
  /** A reference such as `Organization/police-central`; never a survivor's name or number. */
  readonly reference?: string;
  readonly identifier?: { readonly system: string; readonly value: string };
  readonly type?: Coding;
  readonly role?: Coding;
  readonly description?: string;
}

export interface AuditEventInput {
  readonly type: Coding;
  readonly subtype?: Coding;
  readonly action: NonNullable<AuditEvent['action']>;
  readonly outcome: AuditOutcome;
  /** Why it failed, for refusals: the stable error code and the text the client saw. */
  readonly outcomeDesc?: string;
  readonly recorded: Date;
  readonly agents: readonly AuditActor[];
  readonly entities?: readonly AuditSubject[];
  readonly requestId?: string;
  readonly purposeOfEvent?: readonly Coding[];
}

export function buildAuditEvent(input: AuditEventInput): AuditEvent {
  const entities: AuditEventEntity[] = (input.entities ?? []).map(toEntity);
  if (input.requestId !== undefined) {
    // BALP records the transaction id as an entity so events of one request can be joined.
    entities.push({
      what: { identifier: { system: REQUEST_ID_SYSTEM, value: input.requestId } },
      type: {
        system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType',
        code: 'XrequestId',
      },
    });
  }
  return {
    resourceType: 'AuditEvent',
    id: randomUUID(),
    type: input.type,
    ...(input.subtype === undefined ? {} : { subtype: [input.subtype] }),
    action: input.action,
    recorded: input.recorded.toISOString(),
    outcome: input.outcome,
    ...(input.outcomeDesc === undefined ? {} : { outcomeDesc: input.outcomeDesc }),
    ...(input.purposeOfEvent === undefined
      ? {}
      : { purposeOfEvent: [{ coding: [...input.purposeOfEvent] }] }),
    agent: input.agents.map(toAgent),
    source: {
      observer: { reference: GATEWAY_OBSERVER, display: 'Enlace gateway' },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
    ...(entities.length === 0 ? {} : { entity: entities }),
  };
}

// Why: FHIR forbids empty elements (ele-1), so an agent or entity with nothing to name omits it.
function toAgent(actor: AuditActor): AuditEventAgent {
  const who = {
    ...(actor.reference === undefined ? {} : { reference: actor.reference }),
    ...(actor.identifier === undefined ? {} : { identifier: { ...actor.identifier } }),
    ...(actor.display === undefined ? {} : { display: actor.display }),
  };
  return {
    ...(Object.keys(who).length === 0 ? {} : { who }),
    requestor: actor.requestor ?? true,
    ...(actor.role === undefined ? {} : { type: { coding: [actor.role] } }),
    ...(actor.network === undefined ? {} : { network: { address: actor.network, type: '2' } }),
  };
}

function toEntity(subject: AuditSubject): AuditEventEntity {
  const what = {
    ...(subject.reference === undefined ? {} : { reference: subject.reference }),
    ...(subject.identifier === undefined ? {} : { identifier: { ...subject.identifier } }),
  };
  return {
    ...(Object.keys(what).length === 0 ? {} : { what }),
    ...(subject.type === undefined ? {} : { type: subject.type }),
    ...(subject.role === undefined ? {} : { role: subject.role }),
    ...(subject.description === undefined ? {} : { description: subject.description }),
  };
}
