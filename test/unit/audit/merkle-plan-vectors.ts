// Node sets of proofs, typed in from transparency-dev/merkle proof/proof_test.go (TestInclusion, TestConsistency).
// Written there as compact.NodeID(level, index); here as "level.index" lists. Their order differs
// from ours where they rehash, so tests compare the sets of nodes read, not their order.

/** [size, index, nodes]: the complete subtrees an inclusion proof for leaf `index` reads. */
export const INCLUSION_NODE_SETS: readonly (readonly [number, number, string])[] = [
  [1, 0, ''],
  [2, 0, '0.1'],
  [2, 1, '0.0'],
  [3, 1, '0.0 0.2'],
  [7, 0, '0.1 1.1 0.6 1.2'],
  [7, 1, '0.0 1.1 0.6 1.2'],
  [7, 2, '0.3 1.0 0.6 1.2'],
  [7, 3, '0.2 1.0 0.6 1.2'],
  [7, 4, '0.5 0.6 2.0'],
  [7, 5, '0.4 0.6 2.0'],
  [7, 6, '1.2 2.0'],
  [4, 2, '0.3 1.0'],
  [5, 3, '0.2 1.0 0.4'],
  [6, 3, '0.2 1.0 1.2'],
  [6, 4, '0.5 2.0'],
  [15, 10, '0.11 1.4 0.14 1.6 3.0'],
  [31, 24, '0.25 1.13 0.30 1.14 3.2 4.0'],
  [95, 81, '0.80 1.41 2.21 0.94 1.46 2.22 4.4 6.0'],
];

/** [from, to, nodes]: the complete subtrees a consistency proof from `from` to `to` reads. */
export const CONSISTENCY_NODE_SETS: readonly (readonly [number, number, string])[] = [
  [1, 2, '0.1'],
  [1, 4, '0.1 1.1'],
  [1, 6, '0.1 1.1 1.2'],
  [2, 3, '0.2'],
  [2, 8, '1.1 2.1'],
  [3, 7, '0.2 0.3 1.0 0.6 1.2'],
  [4, 7, '0.6 1.2'],
  [5, 7, '0.4 0.5 0.6 2.0'],
  [6, 7, '1.2 0.6 2.0'],
  [7, 8, '0.6 0.7 1.2 2.0'],
  [1, 1, ''],
  [2, 2, ''],
  [3, 3, ''],
  [4, 4, ''],
  [5, 5, ''],
  [7, 7, ''],
  [8, 8, ''],
  [2, 4, '1.1'],
  [3, 5, '0.2 0.3 1.0 0.4'],
  [3, 6, '0.2 0.3 1.0 1.2'],
  [4, 6, '1.2'],
  [1, 7, '0.1 1.1 0.6 1.2'],
  [10, 15, '1.4 1.5 0.14 1.6 3.0'],
  [24, 31, '3.2 0.30 1.14 2.6 4.0'],
  [81, 95, '0.80 0.81 1.41 2.21 0.94 1.46 2.22 4.4 6.0'],
];

/** testonly/constants.go CompactTrees(): the frontier of the first n leaves, n = 0..8. */
export const COMPACT_TREES: readonly string[] = [
  '',
  '0.0',
  '1.0',
  '1.0 0.2',
  '2.0',
  '2.0 0.4',
  '2.0 1.2',
  '2.0 1.2 0.6',
  '3.0',
];
