// Reads the answer of Consent/$evaluate: the decision, what may move and what would be removed, and why.
import type { Parameters } from '@medplum/fhirtypes';

export interface ConsentEvaluation {
  readonly decision: 'permit' | 'deny' | 'no-consent';
  /** Data classes that may move. */
  readonly permitted: readonly string[];
  /** Data classes a message would lose before delivery. */
  readonly remove: readonly string[];
  /** `Consent/<id>/_history/<v>` relied on (only consents the caller may see). */
  readonly reliedOn: readonly string[];
  /** Consents that disagree and were resolved as "no"; flagged for review. */
  readonly conflict: readonly string[];
  /** Whether a break-the-glass grant decided. */
  readonly emergencyGrant: boolean;
  readonly reason: string | undefined;
}

const DECISIONS = new Set(['permit', 'deny', 'no-consent']);

export function readEvaluation(answer: Parameters): ConsentEvaluation {
  const all = (name: string) => (answer.parameter ?? []).filter((p) => p.name === name);
  const codes = (name: string) => all(name).flatMap((p) => p.valueCode ?? []);
  const references = (name: string) => all(name).flatMap((p) => p.valueReference?.reference ?? []);
  const decision = codes('decision')[0];
  if (decision === undefined || !DECISIONS.has(decision)) {
    throw new TypeError('the evaluation carries no decision');
  }
  return {
    decision: decision as ConsentEvaluation['decision'],
    permitted: codes('permitted'),
    remove: codes('remove'),
    reliedOn: references('reliedOn'),
    conflict: references('conflict'),
    emergencyGrant: all('emergencyGrant')[0]?.valueBoolean === true,
    reason: all('reason')[0]?.valueString,
  };
}
