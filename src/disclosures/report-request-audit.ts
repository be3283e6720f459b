// The AuditEvent of asking for her report (BALP rest operation): who asked, about which pseudonyms, with what answer.
import type { AuditEvent } from '@medplum/fhirtypes';
import {
  auditSubtype,
  auditType,
  buildAuditEvent,
  type AuditActor,
  type AuditSubject,
} from '../audit/index.js';
import { PSEUDONYM_SYSTEM } from '../kernel/index.js';
import { REPORT_REQUEST_DESCRIPTION } from './disclosure-codes.js';

const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';

export interface ReportRequestInput {
  readonly actor: AuditActor;
  readonly recorded: Date;
  readonly requestId: string;
  /** Her pseudonyms, never the identifier the caller gave. */
  readonly pseudonyms: readonly string[];
  /** For an answer: how many entries it held and in which media type. */
  readonly answered?: { readonly entries: number; readonly mediaType: string };
  /** For refusals: the stable error code and the text the client saw (describeRefusal). */
  readonly refusal?: string;
}

const survivor = (pseudonym: string): AuditSubject => ({
  identifier: { system: PSEUDONYM_SYSTEM, value: pseudonym },
  type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
  role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
});

/**
 * Why her pseudonyms on a refusal too: an institution asking about a woman it does not serve is
 * what oversight must find under her name; the identifier never reaches the record.
 */
export function buildReportRequestEvent(input: ReportRequestInput): AuditEvent {
  const answered =
    input.answered === undefined
      ? ''
      : `: ${input.answered.entries} entries as ${input.answered.mediaType}`;
  return buildAuditEvent({
    type: auditType.rest,
    subtype: auditSubtype.operation,
    action: 'E',
    outcome: input.refusal === undefined ? '0' : '4',
    ...(input.refusal === undefined ? {} : { outcomeDesc: input.refusal }),
    recorded: input.recorded,
    agents: [input.actor],
    entities: [
      {
        type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
        role: { system: OBJECT_ROLE, code: '24', display: 'Query' },
        description: `${REPORT_REQUEST_DESCRIPTION}${answered}`,
      },
      ...input.pseudonyms.map(survivor),
    ],
    requestId: input.requestId,
  });
}
