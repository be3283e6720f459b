// Assertions every refusal must satisfy: status, FHIR issue code, Enlace error code, media type, request id.
import assert from 'node:assert/strict';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { ERROR_CODE_SYSTEM, REQUEST_ID_EXTENSION } from '../../src/fhir/index.js';

export const FHIR_JSON_UTF8 = 'application/fhir+json; charset=utf-8';

/** The parts of an HTTP response the assertions read; supertest's Response and raw replies both fit. */
export interface ReceivedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

export interface ExpectedOutcome {
  readonly status: number;
  /** FHIR IssueType of issue[0]. */
  readonly issue: string;
  /** The ENLACE_* code in issue[0].details.coding[0]. */
  readonly code: string;
}

/** Asserts the response is the expected OperationOutcome and returns it for further checks. */
export function assertOutcome(res: ReceivedResponse, expected: ExpectedOutcome): OperationOutcome {
  assert.equal(res.status, expected.status, `status (body: ${res.text.slice(0, 1000)})`);
  assert.equal(res.headers['content-type'], FHIR_JSON_UTF8);
  const outcome = JSON.parse(res.text) as OperationOutcome;
  assert.equal(outcome.resourceType, 'OperationOutcome');
  const issue = outcome.issue[0];
  assert.ok(issue !== undefined, 'the OperationOutcome has an issue');
  assert.equal(issue.severity, 'error');
  assert.equal(issue.code, expected.issue);
  assert.equal(issue.details?.coding?.[0]?.system, ERROR_CODE_SYSTEM);
  assert.equal(issue.details.coding[0].code, expected.code);
  const requestId = res.headers['x-request-id'];
  assert.equal(typeof requestId, 'string', 'the response carries X-Request-Id');
  assert.equal(requestIdOfOutcome(outcome), requestId, 'the outcome carries the request id');
  return outcome;
}

export function requestIdOfOutcome(outcome: OperationOutcome): string | undefined {
  return outcome.extension?.find((extension) => extension.url === REQUEST_ID_EXTENSION)
    ?.valueString;
}
