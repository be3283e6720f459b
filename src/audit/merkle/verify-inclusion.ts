// RFC 9162 §2.1.3.2: checks an audit path; hostile input yields false, never an exception or a loop.
import { equalHashes, isHash, nodeHash } from './hash.js';
import { toProof } from './proof-input.js';
import { half, isOdd, isTreeSize } from './tree-math.js';

/**
 * The root that `proof` implies for leaf hash `leaf` at `index` in a tree of `size` leaves, or
 * undefined when the input is malformed or the path has the wrong length for that position.
 */
export function rootFromInclusionProof(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Uint8Array | undefined {
  const path = toProof(proof);
  // Why: step 1 (index < size) and exact-integer sizes; beyond 2^53 the arithmetic would round.
  if (!isHash(leaf) || !isTreeSize(index) || !isTreeSize(size) || index >= size || !path) {
    return undefined;
  }
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    // Why: more elements than the tree has levels means the proof is not for this tree.
    if (sn === 0) return undefined;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      // Skips the levels where this node is a right-edge node with no sibling; fn ≤ 2^53 bounds it.
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Why: sn > 0 means the path stopped short of the root; its result proves nothing.
  return sn === 0 ? r : undefined;
}

/** Whether `proof` shows leaf hash `leaf` at `index` in the tree of `size` leaves with `root`. */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusionProof(leaf, index, size, proof);
  return computed !== undefined && equalHashes(computed, root);
}
