// The complete subtrees an append creates: the leaf, and each parent whose right child it completes.
import { isHash, nodeHash } from './hash.js';
import { MerkleError } from './merkle-error.js';
import type { NodeKey, TreeNode } from './node-key.js';
import { assertTreeSize, half, isOdd } from './tree-math.js';

/**
 * The left siblings that appending leaf `index` pairs with, lowest level first: one per trailing
 * 1-bit of `index`. They are complete subtrees of the tree before the append, all already stored.
 */
export function leftSiblingKeys(index: number): NodeKey[] {
  assertTreeSize(index, 'index');
  const keys: NodeKey[] = [];
  for (let level = 0, position = index; isOdd(position); level += 1, position = half(position)) {
    keys.push({ level, index: position - 1 });
  }
  return keys;
}

/**
 * Every node that becomes complete when leaf `index` (hash `leaf`) is appended: (0, index) first,
 * then each parent up to the highest, given the hashes of `leftSiblingKeys(index)` in that order.
 */
export function nodesCompletedBy(
  index: number,
  leaf: Uint8Array,
  leftSiblings: readonly Uint8Array[],
): TreeNode[] {
  const keys = leftSiblingKeys(index);
  // Why: a missing or malformed sibling would store a wrong parent that every later root inherits.
  if (!isHash(leaf) || leftSiblings.length !== keys.length || !leftSiblings.every(isHash)) {
    throw new MerkleError(
      'MERKLE_NODE_INVALID',
      `leaf ${index} needs a 32-octet leaf hash and ${keys.length} 32-octet left siblings`,
    );
  }
  const completed: TreeNode[] = [{ level: 0, index, hash: leaf }];
  let hash = leaf;
  keys.forEach((key, i) => {
    hash = nodeHash(leftSiblings[i] as Uint8Array, hash);
    completed.push({ level: key.level + 1, index: half(key.index), hash });
  });
  return completed;
}
