// Reads one ledger AuditEvent as the report sees it: a consent decision, an access to her data, or neither.
import type { AuditEvent, AuditEventAgent } from '@medplum/fhirtypes';
import { ENLACE_AUDIT_EVENT, PERSON_SYSTEM } from '../audit/index.js';
import { EMERGENCY_GRANT_SYSTEM, PURPOSE_SYSTEM } from '../consent/index.js';
import { ORGANIZATION_ROLE_SYSTEM } from '../partners/index.js';
import { REPORT_REQUEST_DESCRIPTION } from './disclosure-codes.js';
import type { AccessKind } from './types.js';

/** Who acted: an institution by partner id, or a person by role. */
export interface Actor {
  readonly organization?: string;
  readonly personRole?: string;
}

export interface DecisionFacts {
  readonly role: 'decision';
  /** The institution the decision was about releasing to. */
  readonly recipient?: string;
  readonly purpose?: string;
  /** `Consent/<id>/_history/<v>` the decision relied on. */
  readonly reliedOn: readonly string[];
  /** The break-the-glass grant that permitted, when it was one. */
  readonly grant?: string;
}

export interface AccessFacts {
  readonly role: 'access';
  readonly kind: AccessKind;
  readonly who: Actor;
  readonly recipient?: string;
  readonly references: readonly string[];
  readonly purpose?: string;
}

export type ClassifiedEvent = DecisionFacts | AccessFacts | { readonly role: 'ignored' };

const IGNORED = { role: 'ignored' } as const;
const ORGANIZATION = 'Organization/';
/** DICOM 110113 Security Alert: break-the-glass start, stop and review, shown from the grant itself. */
const SECURITY_ALERT = '110113';
/** DICOM 110106 Export: the gateway pushing to a partner's endpoint. */
const EXPORT = '110106';
const CASE_REFERENCE = /^(?:Task|Bundle|Consent|AuditEvent)\//;

const organizationOf = (agent: AuditEventAgent | undefined): string | undefined => {
  const reference = agent?.who?.reference;
  return reference?.startsWith(ORGANIZATION) === true
    ? reference.slice(ORGANIZATION.length)
    : undefined;
};

function actorOf(agent: AuditEventAgent | undefined): Actor | undefined {
  const organization = organizationOf(agent);
  if (organization !== undefined) return { organization };
  if (agent?.who?.identifier?.system === PERSON_SYSTEM) {
    return { personRole: agent.who.display ?? 'person' };
  }
  return undefined;
}

const purposeOf = (event: AuditEvent): string | undefined =>
  (event.purposeOfEvent ?? [])
    .flatMap((concept) => concept.coding ?? [])
    .find((coding) => coding.system === PURPOSE_SYSTEM)?.code;

const referencesOf = (event: AuditEvent): string[] =>
  (event.entity ?? []).flatMap((entity) => {
    const reference = entity.what?.reference;
    return reference !== undefined && CASE_REFERENCE.test(reference) ? [reference] : [];
  });

/** The other institution an event names without it acting (a submission's addressee). */
const addresseeOf = (event: AuditEvent): string | undefined =>
  event.agent.map((agent) => (agent.requestor ? undefined : organizationOf(agent))).find(Boolean);

function decision(event: AuditEvent): DecisionFacts {
  const entities = event.entity ?? [];
  const recipient = event.agent
    // The institution decided about carries its organization role; the requestor does not.
    .filter((agent) =>
      agent.type?.coding?.some((coding) => coding.system === ORGANIZATION_ROLE_SYSTEM),
    )
    .map(organizationOf)
    .find(Boolean);
  const purpose = purposeOf(event);
  const grant = entities.find(
    (entity) => entity.what?.identifier?.system === EMERGENCY_GRANT_SYSTEM,
  )?.what?.identifier?.value;
  return {
    role: 'decision',
    ...(recipient === undefined ? {} : { recipient }),
    ...(purpose === undefined ? {} : { purpose }),
    reliedOn: entities.flatMap((entity) =>
      entity.description === 'relied on' && entity.what?.reference !== undefined
        ? [entity.what.reference]
        : [],
    ),
    ...(grant === undefined ? {} : { grant }),
  };
}

function access(event: AuditEvent, kind: AccessKind, who: Actor, recipient?: string): AccessFacts {
  const purpose = purposeOf(event);
  return {
    role: 'access',
    kind,
    who,
    ...(recipient === undefined ? {} : { recipient }),
    references: referencesOf(event),
    ...(purpose === undefined ? {} : { purpose }),
  };
}

/** A push: the destination received what the gateway sent (a referral, or a Task update). */
function push(event: AuditEvent): ClassifiedEvent {
  const destination = addresseeOf(event);
  if (destination === undefined) return IGNORED;
  const what = (event.entity ?? []).map((entity) => entity.description).find(Boolean);
  const kind: AccessKind =
    what === 'referral delivery'
      ? 'referral-received'
      : what === 'task-update delivery'
        ? 'update-received'
        : 'other';
  return access(event, kind, { organization: destination });
}

function operation(event: AuditEvent, who: Actor): AccessFacts {
  const entities = event.entity ?? [];
  const submitted = entities.find(
    (entity) => entity.role?.code === '3' && entity.what?.reference?.startsWith('Task/') === true,
  );
  if (submitted !== undefined) {
    const kind =
      submitted.description === 'referral-request' ? 'referral-sent' : 'referral-updated';
    return access(event, kind, who, addresseeOf(event));
  }
  if (entities.some((entity) => entity.description?.startsWith(REPORT_REQUEST_DESCRIPTION))) {
    return access(event, 'report-requested', who);
  }
  if (who.personRole !== undefined) return access(event, 'audit-review', who);
  if (purposeOf(event) !== undefined) return access(event, 'consent-checked', who);
  return access(event, 'other', who);
}

/** An auditor's search of the ledger: its query entity names the AuditEvent search it ran. */
const isLedgerQuery = (event: AuditEvent): boolean =>
  (event.entity ?? []).some((entity) => entity.description?.startsWith('AuditEvent') === true);

function byReference(event: AuditEvent, who: Actor, subtype: string | undefined): AccessKind {
  const first = referencesOf(event)[0] ?? '';
  if (first.startsWith('AuditEvent/') || who.personRole !== undefined || isLedgerQuery(event)) {
    return 'audit-review';
  }
  if (first.startsWith('Consent/') || subtype === 'search-type') {
    if (subtype === 'create') return 'consent-recorded';
    if (subtype === 'patch') return 'consent-revoked';
    return 'consent-read';
  }
  if (first.startsWith('Bundle/')) return 'referral-received';
  if (first.startsWith('Task/')) {
    return subtype !== undefined && TASK_READS.has(subtype) ? 'referral-read' : 'referral-updated';
  }
  return 'other';
}

/** A Task read, a version read and its history all show what the loop says: none changes it. */
const TASK_READS = new Set(['read', 'vread', 'history-instance']);

/** A consent evaluation answering deny or no-consent: outcome 4, yet an answer about her consent. */
const isEvaluationAnswer = (event: AuditEvent): boolean =>
  event.subtype?.[0]?.code === 'operation' &&
  /^(?:deny|no-consent): /.test(event.outcomeDesc ?? '');

export function classifyEvent(event: AuditEvent): ClassifiedEvent {
  const who = actorOf(event.agent.find((agent) => agent.requestor) ?? event.agent[0]);
  if (event.outcome !== '0') {
    return who !== undefined && isEvaluationAnswer(event)
      ? access(event, 'consent-checked', who)
      : IGNORED;
  }
  if (event.type.system === ENLACE_AUDIT_EVENT && event.type.code === 'consent-decision') {
    return decision(event);
  }
  if (event.type.code === SECURITY_ALERT) return IGNORED;
  if (event.type.code === EXPORT) return push(event);
  // The gateway's own housekeeping (sweeps, checkpoints) is not an access by anyone.
  if (who === undefined) return IGNORED;
  const subtype = event.subtype?.[0]?.code;
  if (subtype === 'operation') return operation(event, who);
  return access(event, byReference(event, who, subtype), who);
}
