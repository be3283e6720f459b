// Builders for the AuditEvents the storage contract appends.
import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '@medplum/fhirtypes';

export function buildAuditEvent(action: AuditEvent['action'] = 'C'): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: randomUUID(),
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'create' }],
    action,
    recorded: '2025-03-01T10:00:00.000Z',
    outcome: '0',
    agent: [{ who: { reference: 'Organization/police-1' }, requestor: true }],
    source: { observer: { reference: 'Device/enlace' } },
    entity: [{ what: { reference: 'Task/referral-1' } }],
  };
}
