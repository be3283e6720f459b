// Roots and proofs straight from storage: one batched read of O(log n) nodes per question.
import { assembleProof, assembleRoot } from './assemble-proof.js';
import { isHash } from './hash.js';
import { MerkleError } from './merkle-error.js';
import { nodeId, type NodeKey } from './node-key.js';
import { planConsistencyProof } from './plan-consistency.js';
import { planInclusionProof } from './plan-inclusion.js';
import { planRoot, type ProofPlan } from './proof-plan.js';

/** Reads the hashes of complete subtrees, answering in the order of `keys`; one query per call. */
export type NodeReader = (keys: readonly NodeKey[]) => Promise<Uint8Array[]>;

async function readPlan(plan: ProofPlan, read: NodeReader): Promise<Map<string, Uint8Array>> {
  if (plan.keys.length === 0) return new Map();
  const hashes = await read(plan.keys);
  // Why: a store answering fewer, more or malformed rows would pair hashes with the wrong nodes.
  if (!Array.isArray(hashes) || hashes.length !== plan.keys.length || !hashes.every(isHash)) {
    throw new MerkleError(
      'MERKLE_NODE_INVALID',
      `the store returned no 32-octet hash for each of ${plan.keys.length} nodes`,
    );
  }
  return new Map(plan.keys.map((key, i) => [nodeId(key), hashes[i] as Uint8Array]));
}

/** MTH(D[0:size]) of the stored tree. */
export async function rootAt(size: number, read: NodeReader): Promise<Uint8Array> {
  return assembleRoot(size, await readPlan(planRoot(size), read));
}

/** PATH(index, D[size]) of RFC 9162 §2.1.3.1, leaf-first. */
export async function inclusionProof(
  index: number,
  size: number,
  read: NodeReader,
): Promise<Uint8Array[]> {
  const plan = planInclusionProof(index, size);
  return assembleProof(plan, await readPlan(plan, read));
}

/** PROOF(from, D[to]) of RFC 9162 §2.1.4.1; empty when from = to. */
export async function consistencyProof(
  from: number,
  to: number,
  read: NodeReader,
): Promise<Uint8Array[]> {
  const plan = planConsistencyProof(from, to);
  return assembleProof(plan, await readPlan(plan, read));
}
