// Stand-in routes that exercise the HTTP layer the way capability routes will: a body that writes, a handler that fails.
import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '@medplum/fhirtypes';
import { FHIR_JSON, JSON_TYPE } from '../../src/fhir/index.js';
import type { Route } from '../../src/http/route.js';
import type { Store } from '../../src/store/index.js';

export const AUDIT_ROUTE_PATH = '/test/audit';
export const FAILING_ROUTE_PATH = '/test/failure';
export const LEAKY_FAILURE_MESSAGE = 'SELECT secret FROM x at /etc/passwd';

export function buildAuditEvent(): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: randomUUID(),
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'create' }],
    action: 'C',
    recorded: '2025-03-01T10:00:00.000Z',
    outcome: '0',
    agent: [{ who: { reference: 'Organization/police-1' }, requestor: true }],
    source: { observer: { reference: 'Device/enlace' } },
  };
}

/** POST taking FHIR JSON or JSON: appends one AuditEvent and answers 201, so a write is observable. */
export function auditingRoute(store: Store): Route {
  return {
    method: 'POST',
    path: AUDIT_ROUTE_PATH,
    operationId: 'testAppendAudit',
    consumes: [FHIR_JSON, JSON_TYPE],
    handler: async () => {
      const record = await store.audit.append(buildAuditEvent());
      return { status: 201, body: record.event };
    },
  };
}

/** GET whose handler throws an error whose message looks like SQL and a file path. */
export function failingRoute(): Route {
  return {
    method: 'GET',
    path: FAILING_ROUTE_PATH,
    operationId: 'testFail',
    handler: () => {
      throw new Error(LEAKY_FAILURE_MESSAGE);
    },
  };
}
