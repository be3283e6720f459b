// Plans PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path for leaf m in a tree of n leaves.
import { MerkleError } from './merkle-error.js';
import { planRanges, type LeafRange, type ProofPlan } from './proof-plan.js';
import { assertTreeSize, largestPowerOfTwoBelow } from './tree-math.js';

/**
 * Walks from the root down to leaf `index`, taking the sibling at each split:
 * PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) if m < k, else PATH(m - k, D[k:n]) : MTH(D[0:k]).
 * The siblings are collected root-first and returned leaf-first, as the RFC orders them.
 */
export function planInclusionProof(index: number, size: number): ProofPlan {
  assertTreeSize(index, 'index');
  assertTreeSize(size, 'size');
  if (index >= size) {
    throw new MerkleError('MERKLE_ARGUMENT_INVALID', 'index must be less than size');
  }
  const siblings: LeafRange[] = [];
  let begin = 0;
  let end = size;
  while (end - begin > 1) {
    const k = largestPowerOfTwoBelow(end - begin);
    if (index < begin + k) {
      siblings.push({ begin: begin + k, size: end - begin - k });
      end = begin + k;
    } else {
      siblings.push({ begin, size: k });
      begin += k;
    }
  }
  return planRanges(siblings.reverse());
}
