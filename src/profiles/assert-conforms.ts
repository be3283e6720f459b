// Turns validation issues into the gateway's refusal: ENLACE_PROFILE_INVALID (422) with one OperationOutcome issue each.
import { GatewayError, type GatewayIssue } from '../kernel/errors.js';
import type { ProfileValidator } from './load-profiles.js';
import { isError, type ValidationIssue } from './validation-issue.js';

/** Issues in the shape GatewayError carries and the OperationOutcome builder renders. */
export const toGatewayIssues = (issues: readonly ValidationIssue[]): GatewayIssue[] =>
  issues.map((found) => ({
    severity: found.severity,
    code: found.code,
    text: found.text,
    expression: [found.expression],
  }));

/**
 * Validates and throws ENLACE_PROFILE_INVALID when any issue is an error; returns the warnings
 * otherwise. Messages name elements and codes of the profile, never values of the resource.
 */
export function assertConforms(
  validator: ProfileValidator,
  resource: unknown,
  profileUrl?: string,
): ValidationIssue[] {
  const issues = validator.validate(resource, profileUrl);
  const errors = issues.filter(isError);
  if (errors.length === 0) return issues;
  const first = errors[0]?.text ?? '';
  throw new GatewayError(
    'ENLACE_PROFILE_INVALID',
    errors.length === 1
      ? `The resource does not conform: ${first}`
      : `The resource does not conform (${errors.length} problems); first: ${first}`,
    { expression: errors.map((e) => e.expression), issues: toGatewayIssues(issues) },
  );
}
