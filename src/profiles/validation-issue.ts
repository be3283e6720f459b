// What a validation finds: one issue per problem, with a FHIR IssueType and a FHIRPath location.

/** FHIR R4 IssueType codes the validator reports. */
export type ValidationIssueCode =
  | 'structure'
  | 'required'
  | 'value'
  | 'code-invalid'
  | 'invariant'
  | 'not-found'
  | 'not-supported'
  | 'exception';

export interface ValidationIssue {
  readonly severity: 'error' | 'warning';
  readonly code: ValidationIssueCode;
  readonly text: string;
  /** FHIRPath of the offending element, from the validated resource's type: `Bundle.entry[0].resource.status`. */
  readonly expression: string;
}

/** Ends the validation of one resource early when it has produced this many issues. */
export const MAX_ISSUES = 100;

export const issue = (
  code: ValidationIssueCode,
  expression: string,
  text: string,
  severity: ValidationIssue['severity'] = 'error',
): ValidationIssue => ({ severity, code, text, expression });

export const isError = (found: ValidationIssue): boolean => found.severity === 'error';
