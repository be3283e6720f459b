// The O(log n) complete-subtree roots of a tree, enough to append and to compute the root without reads.
import { leftSiblingKeys, nodesCompletedBy } from './append-leaf.js';
import { emptyRoot, isHash, nodeHash } from './hash.js';
import { MerkleError } from './merkle-error.js';
import { tileRange, type NodeKey, type TreeNode } from './node-key.js';
import { assertTreeSize } from './tree-math.js';

/**
 * The frontier of a tree of `size` leaves: the hashes of `compactRangeKeys(size)`, largest subtree
 * first (transparency-dev's compact range [0, size)). Immutable; appends return a new one.
 */
export interface CompactRange {
  readonly size: number;
  readonly hashes: readonly Uint8Array[];
}

export interface AppendResult {
  readonly range: CompactRange;
  /** The nodes to store: the leaf first, then each parent it completed. */
  readonly completed: readonly TreeNode[];
}

export const EMPTY_RANGE: CompactRange = Object.freeze({ size: 0, hashes: Object.freeze([]) });

/** The nodes whose hashes make up the frontier of a tree of `size` leaves (one batched read). */
export function compactRangeKeys(size: number): NodeKey[] {
  assertTreeSize(size, 'size');
  return tileRange(0, size);
}

/** Rebuilds the frontier from `compactRangeKeys(size)`'s hashes, read in that order. */
export function compactRangeFrom(size: number, hashes: readonly Uint8Array[]): CompactRange {
  const keys = compactRangeKeys(size);
  // Why: resuming appends from a frontier with a bad hash would corrupt every later node.
  if (hashes.length !== keys.length || !hashes.every(isHash)) {
    throw new MerkleError(
      'MERKLE_NODE_INVALID',
      `a tree of ${size} leaves has a frontier of ${keys.length} 32-octet hashes`,
    );
  }
  return { size, hashes: [...hashes] };
}

/** Appends one leaf hash: O(log n) hashing, no reads; the completed nodes are the rows to write. */
export function appendLeaf(range: CompactRange, leaf: Uint8Array): AppendResult {
  const index = range.size;
  assertTreeSize(index, 'size');
  if (!Number.isSafeInteger(index + 1)) {
    throw new MerkleError('MERKLE_ARGUMENT_INVALID', 'the tree is full');
  }
  if (range.hashes.length !== compactRangeKeys(index).length) {
    throw new MerkleError('MERKLE_NODE_INVALID', `the frontier does not fit ${index} leaves`);
  }
  // The left siblings of the new leaf are the frontier's smallest subtrees, one per trailing 1-bit.
  const merged = leftSiblingKeys(index).length;
  const kept = range.hashes.slice(0, range.hashes.length - merged);
  const siblings = range.hashes.slice(range.hashes.length - merged).reverse();
  const completed = nodesCompletedBy(index, leaf, siblings);
  const top = completed.at(-1) as TreeNode;
  return { range: { size: index + 1, hashes: [...kept, top.hash] }, completed };
}

/** MTH(D[0:size]): the frontier folded from the right. */
export function compactRangeRoot(range: CompactRange): Uint8Array {
  let root = range.hashes.at(-1);
  if (root === undefined) return emptyRoot();
  for (let i = range.hashes.length - 2; i >= 0; i -= 1) {
    root = nodeHash(range.hashes[i] as Uint8Array, root);
  }
  return root;
}
