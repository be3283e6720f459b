// One consent's answer for one data class: its provision tree resolved by nesting, specificity and deny-before-permit.
import type { ConsentProvision } from '@medplum/fhirtypes';
import type { DataClass, DecisionRequest } from '../types.js';
import { matchOwnCriteria, type ActorLevel, type ProvisionType } from './provision-criteria.js';

/** The provision that decided within a consent, with the weight it carries. */
export interface Ruling {
  readonly type: ProvisionType;
  readonly actorLevel: ActorLevel;
  /** Named an actor, purpose or data class somewhere on its path (not a bare "everything"). */
  readonly explicit: boolean;
}

/** Deepest nesting the engine reads; a provision with exceptions below it denies wherever it applies. */
export const MAX_PROVISION_DEPTH = 16;

/**
 * Rules inside one consent:
 * - a nested provision is an exception to its parent: it applies only where every provision on its
 *   path applies too (it inherits what it does not say), and where it applies it replaces the parent;
 * - among sibling exceptions that apply, the one naming the requester most closely wins
 *   (this Organization > its role > anyone), then the one naming an actor, purpose or class,
 *   and at equal weight deny beats permit;
 * - a provision without a type is read as deny: never guess a permit.
 */
export function evaluateConsent(
  root: ConsentProvision | undefined,
  request: DecisionRequest,
  dataClass: DataClass,
): Ruling | undefined {
  if (root === undefined) return undefined;
  return evaluateNode(root, [], request, dataClass);
}

function evaluateNode(
  node: ConsentProvision,
  ancestors: readonly ConsentProvision[],
  request: DecisionRequest,
  dataClass: DataClass,
): Ruling | undefined {
  const path = [...ancestors, node];
  const children = node.provision ?? [];
  if (path.length >= MAX_PROVISION_DEPTH && children.length > 0) {
    // Why: exceptions too deep to read could be denies; where the node applies, it denies outright.
    const applies = ownRuling(path, 'deny', request, dataClass);
    return applies === undefined ? undefined : { type: 'deny', actorLevel: 2, explicit: true };
  }
  let best: Ruling | undefined;
  for (const child of children) {
    const ruling = evaluateNode(child, path, request, dataClass);
    if (ruling !== undefined && (best === undefined || outweighs(ruling, best))) best = ruling;
  }
  // Why: an exception that applies replaces its parent, so the parent speaks only when none does.
  return best ?? ownRuling(path, node.type === 'permit' ? 'permit' : 'deny', request, dataClass);
}

/**
 * The node's own ruling, when every provision on its path matches under the node's own type.
 * Because the path includes the ancestors, an exception always weighs at least what its parent does,
 * so adding a deny exception can only ever strengthen a deny.
 */
function ownRuling(
  path: readonly ConsentProvision[],
  type: ProvisionType,
  request: DecisionRequest,
  dataClass: DataClass,
): Ruling | undefined {
  let actorLevel: ActorLevel = 0;
  let explicit = false;
  for (const provision of path) {
    const match = matchOwnCriteria(provision, type, request, dataClass);
    if (!match.applies) return undefined;
    if (match.actorLevel > actorLevel) actorLevel = match.actorLevel;
    explicit ||= match.explicit;
  }
  return { type, actorLevel, explicit };
}

/** Whether `a` beats `b`: closer actor, then explicit over bare, then deny over permit. */
export function outweighs(a: Ruling, b: Ruling): boolean {
  if (a.actorLevel !== b.actorLevel) return a.actorLevel > b.actorLevel;
  if (a.explicit !== b.explicit) return a.explicit;
  return a.type === 'deny' && b.type === 'permit';
}
