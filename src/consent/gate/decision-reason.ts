// Which rule decided, as a code from a fixed set: what the consent metrics count, never which consent or whose.
import type { ConsentReason } from '../../observability/index.js';
import type { Decision } from '../types.js';

export function decisionReason(decision: Decision): ConsentReason {
  if (decision.emergencyGrant !== undefined) return 'break-the-glass';
  switch (decision.outcome) {
    case 'permit':
      // No consent relied on: the jurisdiction's default (ENLACE_CONSENT_DEFAULT_DECISION=permit).
      return decision.reliedOn.length === 0 ? 'default-permit' : 'consent';
    case 'deny':
      return decision.conflicts.length > 0 ? 'conflict' : 'provision-deny';
    case 'no-consent':
      return 'no-provision';
  }
}
