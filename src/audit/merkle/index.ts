// Public face of the RFC 9162 Merkle tree core: hashing, batched read plans, append, verification.
export {
  EMPTY_ROOT,
  HASH_SIZE,
  emptyRoot,
  equalHashes,
  isHash,
  leafHash,
  nodeHash,
} from './hash.js';
export { MerkleError, isMerkleError } from './merkle-error.js';
export type { MerkleErrorCode } from './merkle-error.js';
export { nodeId } from './node-key.js';
export type { NodeKey, NodeLookup, TreeNode } from './node-key.js';
export { planRoot } from './proof-plan.js';
export type { ProofPlan } from './proof-plan.js';
export { planInclusionProof } from './plan-inclusion.js';
export { planConsistencyProof } from './plan-consistency.js';
export { assembleProof, assembleRoot } from './assemble-proof.js';
export { consistencyProof, inclusionProof, rootAt } from './read-proofs.js';
export type { NodeReader } from './read-proofs.js';
export { leftSiblingKeys, nodesCompletedBy } from './append-leaf.js';
export {
  EMPTY_RANGE,
  appendLeaf,
  compactRangeFrom,
  compactRangeKeys,
  compactRangeRoot,
} from './compact-range.js';
export type { AppendResult, CompactRange } from './compact-range.js';
export { MAX_PROOF_LENGTH } from './proof-input.js';
export { rootFromInclusionProof, verifyInclusion } from './verify-inclusion.js';
export { verifyConsistency } from './verify-consistency.js';
