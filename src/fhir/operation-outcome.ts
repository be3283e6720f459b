// Builds FHIR OperationOutcome resources: the body of every error the gateway returns.
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { IssueType } from '../kernel/errors.js';

export const ERROR_CODE_SYSTEM = 'https://enlace.example.org/fhir/CodeSystem/error-code';
export const REQUEST_ID_EXTENSION =
  'https://enlace.example.org/fhir/StructureDefinition/request-id';

export interface OutcomeIssue {
  readonly severity?: OperationOutcomeIssue['severity'];
  readonly code: IssueType;
  /** The gateway's stable error code (ENLACE_*), placed in `details.coding`. */
  readonly errorCode?: string;
  readonly text: string;
  readonly expression?: readonly string[];
}

/** An OperationOutcome whose issues say what was wrong; the request id lets an operator find the log line. */
export function buildOperationOutcome(
  issues: readonly OutcomeIssue[],
  requestId?: string,
): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    ...(requestId === undefined
      ? {}
      : { extension: [{ url: REQUEST_ID_EXTENSION, valueString: requestId }] }),
    issue: issues.map((issue) => ({
      severity: issue.severity ?? 'error',
      code: issue.code,
      details: {
        ...(issue.errorCode === undefined
          ? {}
          : { coding: [{ system: ERROR_CODE_SYSTEM, code: issue.errorCode }] }),
        text: issue.text,
      },
      ...(issue.expression === undefined || issue.expression.length === 0
        ? {}
        : { expression: [...issue.expression] }),
    })),
  };
}
