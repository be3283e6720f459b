// What the store must read to answer a question: each output hash as the complete subtrees it folds.
import type { NodeKey } from './node-key.js';
import { tileRange } from './node-key.js';
import { assertTreeSize } from './tree-math.js';

/** Leaves [begin, begin + size) of a subtree the RFC 9162 recursion visits. */
export interface LeafRange {
  readonly begin: number;
  readonly size: number;
}

/**
 * A batched read: `keys` is every node to fetch, once each, in one query; `elements` holds one
 * entry per output hash (a root, or a proof element in RFC order), each the complete subtrees whose
 * right fold is that hash. Every plan has O(log n) keys.
 */
export interface ProofPlan {
  readonly keys: readonly NodeKey[];
  readonly elements: readonly (readonly NodeKey[])[];
}

/** Tiles each range with complete subtrees; ranges are disjoint, so no key repeats. */
export function planRanges(ranges: readonly LeafRange[]): ProofPlan {
  const elements = ranges.map((range) => tileRange(range.begin, range.size));
  return { keys: elements.flat(), elements };
}

/** The nodes whose fold is MTH(D[0:size]): one element, or none for the empty tree. */
export function planRoot(size: number): ProofPlan {
  assertTreeSize(size, 'size');
  return planRanges(size === 0 ? [] : [{ begin: 0, size }]);
}
