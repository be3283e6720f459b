// RFC 9162 §2.1.4.2: checks that tree size `from` is a prefix of size `to`; false on any hostile input.
import { equalHashes, isHash, nodeHash } from './hash.js';
import { toProof } from './proof-input.js';
import { half, isOdd, isPowerOfTwo, isTreeSize } from './tree-math.js';

/** Whether `proof` shows the tree of `fromSize` leaves with `fromRoot` is a prefix of `toRoot`'s. */
export function verifyConsistency(
  fromSize: number,
  toSize: number,
  proof: readonly Uint8Array[],
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
): boolean {
  const path = toProof(proof);
  if (!isTreeSize(fromSize) || !isTreeSize(toSize) || !path) return false;
  if (!isHash(fromRoot) || !isHash(toRoot)) return false;
  // Why: the RFC defines consistency only for 0 < first; accepting size 0 would let a checkpoint
  // of an empty log "extend" to any root without evidence. A log that shrank is never consistent.
  if (fromSize === 0 || fromSize > toSize) return false;
  // Same size: nothing to prove, and an attacker-supplied path must not be silently ignored.
  if (fromSize === toSize) return path.length === 0 && equalHashes(fromRoot, toRoot);
  // Step 1: growth with no evidence proves nothing.
  if (path.length === 0) return false;
  // Step 2: when the old tree is a complete subtree, its root is the proof's implicit first node.
  if (isPowerOfTwo(fromSize)) path.unshift(fromRoot);
  let fn = fromSize - 1;
  let sn = toSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    // Why: leftover elements after reaching the root mean the proof is not for these sizes.
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalHashes(fr, fromRoot) && equalHashes(sr, toRoot);
}
