// Turns node hashes read for a plan into the root or the proof: fold each element from the right.
import { emptyRoot, nodeHash } from './hash.js';
import { lookupNode, type NodeKey, type NodeLookup } from './node-key.js';
import { planRoot, type ProofPlan } from './proof-plan.js';

/**
 * MTH of the range tiled by `element` (largest subtree first): the last node, then each earlier
 * one hashed in on the left, as RFC 9162 §2.1.1 splits at the largest power of two below n.
 */
export function foldElement(element: readonly NodeKey[], nodes: NodeLookup): Uint8Array {
  const last = element.at(-1);
  if (last === undefined) throw new TypeError('a plan element names at least one node');
  let hash = lookupNode(nodes, last);
  for (let i = element.length - 2; i >= 0; i -= 1) {
    hash = nodeHash(lookupNode(nodes, element[i] as NodeKey), hash);
  }
  return hash;
}

/** The proof (or single root) a plan describes, one hash per element, in the plan's order. */
export function assembleProof(plan: ProofPlan, nodes: NodeLookup): Uint8Array[] {
  return plan.elements.map((element) => foldElement(element, nodes));
}

/** MTH(D[0:size]) from the nodes `planRoot(size)` named; the empty root for size 0. */
export function assembleRoot(size: number, nodes: NodeLookup): Uint8Array {
  const [root] = assembleProof(planRoot(size), nodes);
  return root ?? emptyRoot();
}
