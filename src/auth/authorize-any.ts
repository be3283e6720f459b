// A union requirement: the caller is let through by the first alternative it meets.
import {
  GatewayError,
  isGatewayError,
  type AccessRequirement,
  type Principal,
} from '../kernel/index.js';
import { isIdentifiedRefusal } from './bearer-refusals.js';

/**
 * Tries each alternative in order and returns the first principal. When all refuse, the refusal
 * that says most is thrown: a 403 (a known caller lacking the role or scope), then one the gateway
 * identified, then the first. Why: a partner at a route that also admits auditors must hear "scope
 * missing", not the "invalid person token" of the alternative it never aimed at, and be recorded
 * as the identified caller it is. Faults (not a refusal) end the search at once: a store outage
 * must not be hidden behind the next alternative's 401.
 */
export async function authorizeAny(
  alternatives: readonly AccessRequirement[],
  attempt: (requirement: AccessRequirement) => Promise<Principal>,
): Promise<Principal> {
  const refusals: GatewayError[] = [];
  for (const alternative of alternatives) {
    try {
      return await attempt(alternative);
    } catch (error) {
      if (!isGatewayError(error) || error.status >= 500) throw error;
      refusals.push(error);
    }
  }
  const chosen =
    refusals.find((refusal) => refusal.status === 403) ??
    refusals.find((refusal) => isIdentifiedRefusal(refusal)) ??
    refusals[0];
  // Why: an empty union is a wiring mistake in the route table, never a client's.
  throw chosen ?? new GatewayError('ENLACE_INTERNAL', 'an any-requirement without alternatives');
}

/** The requirement in words, for refusal records: `system/Task.r or auditor`. */
export function describeRequirement(requirement: AccessRequirement): string {
  switch (requirement.kind) {
    case 'partner':
      return requirement.scope;
    case 'person':
      return requirement.roles.join('|');
    case 'any':
      return requirement.of.map(describeRequirement).join(' or ');
  }
}
