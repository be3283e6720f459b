// One report entry as a FHIR AuditEvent: who, what, when, why, and the legal basis as entity and extension.
import type {
  AuditEvent,
  AuditEventAgent,
  AuditEventEntity,
  AuditEventEntityDetail,
  Coding,
} from '@medplum/fhirtypes';
import { GATEWAY_OBSERVER } from '../audit/index.js';
import { DATA_CLASS_SYSTEM, EMERGENCY_GRANT_SYSTEM, PURPOSE_SYSTEM } from '../consent/index.js';
import { EMERGENCY_TREATMENT } from '../consent/emergency/index.js';
import { PSEUDONYM_SYSTEM } from '../kernel/index.js';
import { ORGANIZATION_ROLE_SYSTEM } from '../partners/index.js';
import { DISCLOSURE_BASIS_EXTENSION, DISCLOSURE_KIND_SYSTEM } from './disclosure-codes.js';
import type { DisclosureBasis, DisclosureEntry, Party } from './types.js';

const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const PERSON_ROLE_SYSTEM = 'https://enlace.example.org/fhir/CodeSystem/person-role';

const systemObject = { system: ENTITY_TYPE, code: '2', display: 'System Object' };
const securityResource = { system: OBJECT_ROLE, code: '13', display: 'Security Resource' };

const TYPE: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  code: 'rest',
  display: 'Restful Operation',
};
const ACTIONS: Readonly<Record<DisclosureEntry['kind'], NonNullable<AuditEvent['action']>>> = {
  'referral-sent': 'C',
  'referral-received': 'R',
  'referral-read': 'R',
  'referral-updated': 'U',
  'update-received': 'R',
  'consent-recorded': 'C',
  'consent-read': 'R',
  'consent-revoked': 'U',
  'consent-checked': 'E',
  'emergency-access': 'E',
  'audit-review': 'R',
  'report-requested': 'E',
  other: 'E',
};

function toAgent(party: Party, requestor: boolean): AuditEventAgent {
  const roleSystem = party.kind === 'organization' ? ORGANIZATION_ROLE_SYSTEM : PERSON_ROLE_SYSTEM;
  return {
    who: {
      ...(party.reference === undefined ? {} : { reference: party.reference }),
      display: party.name,
    },
    requestor,
    ...(party.role === undefined
      ? {}
      : { type: { coding: [{ system: roleSystem, code: party.role }] } }),
  };
}

const detail = (type: string, value: string | undefined): AuditEventEntityDetail[] =>
  value === undefined || value === '' ? [] : [{ type, valueString: value }];

function basisEntities(basis: DisclosureBasis): AuditEventEntity[] {
  switch (basis.kind) {
    case 'consent':
      return basis.consents.map((consent) => ({
        what: { reference: consent.reference },
        type: systemObject,
        role: securityResource,
        description: 'legal basis: her consent',
        ...(consent.recordedAt === undefined
          ? {}
          : { detail: detail('recordedAt', consent.recordedAt) }),
      }));
    case 'break-the-glass': {
      const { grant } = basis;
      const details = [
        ...detail('justification', grant.justification),
        ...detail('riskLevel', grant.riskLevel),
        ...detail('grantedAt', grant.grantedAt),
        ...detail('expiresAt', grant.expiresAt),
        ...detail('stoppedAt', grant.stoppedAt),
        ...detail('review', grant.review),
        ...detail('reviewedAt', grant.reviewedAt),
      ];
      return [
        {
          what: { identifier: { system: EMERGENCY_GRANT_SYSTEM, value: grant.id } },
          type: systemObject,
          role: securityResource,
          description: 'legal basis: break-the-glass, without her consent',
          ...(details.length === 0 ? {} : { detail: details }),
        },
      ];
    }
    default:
      return [];
  }
}

function purposeOf(entry: DisclosureEntry): AuditEvent['purposeOfEvent'] {
  const codings: Coding[] = [];
  if (entry.purpose !== undefined) codings.push({ system: PURPOSE_SYSTEM, code: entry.purpose });
  if (entry.basis.kind === 'break-the-glass') codings.push(EMERGENCY_TREATMENT);
  return codings.length === 0 ? undefined : [{ coding: codings }];
}

/** Why an AuditEvent per entry: BALP's shape auditors already read, one per access, with its basis. */
export function toAuditEvent(entry: DisclosureEntry, pseudonym: string | undefined): AuditEvent {
  const data: AuditEventEntity[] = entry.references.map((reference) => ({
    what: { reference },
    type: systemObject,
    role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    ...(entry.dataClasses.length === 0
      ? {}
      : {
          securityLabel: entry.dataClasses.map((code) => ({ system: DATA_CLASS_SYSTEM, code })),
        }),
  }));
  const purpose = purposeOf(entry);
  return {
    resourceType: 'AuditEvent',
    extension: [{ url: DISCLOSURE_BASIS_EXTENSION, valueCode: entry.basis.kind }],
    type: TYPE,
    subtype: [{ system: DISCLOSURE_KIND_SYSTEM, code: entry.kind }],
    action: ACTIONS[entry.kind],
    recorded: entry.at,
    outcome: '0',
    ...(purpose === undefined ? {} : { purposeOfEvent: purpose }),
    agent: [
      toAgent(entry.who, true),
      ...(entry.recipient === undefined ? [] : [toAgent(entry.recipient, false)]),
    ],
    source: { observer: { reference: GATEWAY_OBSERVER, display: 'Enlace gateway' } },
    entity: [
      ...(pseudonym === undefined
        ? []
        : [
            {
              what: { identifier: { system: PSEUDONYM_SYSTEM, value: pseudonym } },
              type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
              role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
            },
          ]),
      ...data,
      ...basisEntities(entry.basis),
      ...entry.ledgerEvents.map((id) => ({
        what: { reference: `AuditEvent/${id}` },
        type: systemObject,
        description: 'the ledger record this entry summarises',
      })),
    ],
  };
}
