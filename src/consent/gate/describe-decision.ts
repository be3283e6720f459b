// A human-readable account of a decision, naming data classes and outcomes but never a consent or a person.
import type { Decision } from '../types.js';

export function describeDecision(decision: Decision): string {
  const list = (items: readonly string[]): string =>
    items.length === 0 ? 'none' : items.join(', ');
  if (decision.emergencyGrant !== undefined) {
    return `Permitted by a break-the-glass grant in force; data classes: ${list(decision.permitted)}.`;
  }
  switch (decision.outcome) {
    case 'permit':
      return (
        `Her consent permits: ${list(decision.permitted)}` +
        (decision.remove.length === 0 ? '.' : `; remove before release: ${list(decision.remove)}.`)
      );
    case 'deny':
      return decision.conflicts.length > 0
        ? 'Her active consents contradict each other for this request; they deny until reviewed.'
        : `Her consent denies this request; data classes that may not move: ${list(decision.remove)}.`;
    case 'no-consent':
      return 'No active consent of hers speaks to this request.';
  }
}
