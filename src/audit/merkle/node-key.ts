// Addresses of complete subtrees: node (level, index) covers leaves [index·2^level, (index+1)·2^level).
import { isHash } from './hash.js';
import { MerkleError } from './merkle-error.js';
import { half, isOdd } from './tree-math.js';

/** A complete subtree: the key of one row in the storage layer's node table. */
export interface NodeKey {
  readonly level: number;
  readonly index: number;
}

/** A complete subtree with its hash, as the append path hands it to storage. */
export interface TreeNode extends NodeKey {
  readonly hash: Uint8Array;
}

/** Where assembly finds node hashes: a map keyed by `nodeId`, or a function. */
export type NodeLookup =
  ReadonlyMap<string, Uint8Array> | ((key: NodeKey) => Uint8Array | undefined);

/** The map key for a node: `"level/index"`. */
export function nodeId(key: NodeKey): string {
  return `${key.level}/${key.index}`;
}

/**
 * The complete subtrees that tile leaves [begin, begin + size), largest first, for a `begin` that is
 * a multiple of the smallest power of two ≥ size: true of every subtree RFC 9162's recursion
 * visits. Folding them from the right gives MTH of that range. At most 53 nodes.
 */
export function tileRange(begin: number, size: number): NodeKey[] {
  const bits: number[] = [];
  for (let rest = size, level = 0; rest > 0; rest = half(rest), level += 1) {
    if (isOdd(rest)) bits.push(level);
  }
  const nodes: NodeKey[] = [];
  let start = begin;
  for (const level of bits.reverse()) {
    const width = 2 ** level;
    nodes.push({ level, index: start / width });
    start += width;
  }
  return nodes;
}

/** The hash of `key`; throws MERKLE_NODE_MISSING or MERKLE_NODE_INVALID rather than guess. */
export function lookupNode(nodes: NodeLookup, key: NodeKey): Uint8Array {
  const hash = typeof nodes === 'function' ? nodes(key) : nodes.get(nodeId(key));
  if (hash === undefined) {
    throw new MerkleError('MERKLE_NODE_MISSING', `node ${nodeId(key)} is not in the lookup`);
  }
  // Why: a short or long value from a corrupted row would produce a root nobody can verify.
  if (!isHash(hash)) {
    throw new MerkleError('MERKLE_NODE_INVALID', `node ${nodeId(key)} is not a 32-octet hash`);
  }
  return hash;
}
