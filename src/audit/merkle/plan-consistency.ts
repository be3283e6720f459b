// Plans PROOF(m, D[n]) of RFC 9162 §2.1.4.1: the consistency proof from tree size m to size n.
import { MerkleError } from './merkle-error.js';
import { planRanges, type LeafRange, type ProofPlan } from './proof-plan.js';
import { assertTreeSize, largestPowerOfTwoBelow } from './tree-math.js';

/**
 * SUBPROOF(m, D[n], b), unrolled: for m < n with k the largest power of two below n,
 * m ≤ k gives SUBPROOF(m, D[0:k], b) : MTH(D[k:n]), and m > k gives
 * SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]); reaching m = n emits MTH(D[m]) only when b is
 * false. PROOF(m, D[m]) is empty. Sizes 0 < from ≤ to; from = 0 has no proof in the RFC.
 */
export function planConsistencyProof(from: number, to: number): ProofPlan {
  assertTreeSize(from, 'from');
  assertTreeSize(to, 'to');
  // Why: the RFC defines PROOF(m, D[n]) only for 0 < m; every tree is trivially an extension of
  // the empty one, and a caller asking for that proof has a bug worth surfacing.
  if (from === 0 || from > to) {
    throw new MerkleError('MERKLE_ARGUMENT_INVALID', 'sizes must satisfy 0 < from <= to');
  }
  const trailing: LeafRange[] = [];
  let begin = 0;
  let end = to;
  let wholeTree = true;
  while (from !== end) {
    const k = largestPowerOfTwoBelow(end - begin);
    if (from - begin <= k) {
      trailing.push({ begin: begin + k, size: end - begin - k });
      end = begin + k;
    } else {
      trailing.push({ begin, size: k });
      begin += k;
      wholeTree = false;
    }
  }
  const head: LeafRange[] = wholeTree ? [] : [{ begin, size: end - begin }];
  return planRanges([...head, ...trailing.reverse()]);
}
