// Shape checks for untrusted proofs: a bounded list of 32-octet hashes, nothing else.
import { isHash } from './hash.js';

/**
 * The longest proof accepted. No tree of 2^53 - 1 leaves needs more than 54 elements; 64 leaves
 * room while bounding the work a hostile proof can cause.
 */
export const MAX_PROOF_LENGTH = 64;

/** A copy of `value` if it is an array of at most MAX_PROOF_LENGTH 32-octet hashes. */
export function toProof(value: unknown): Uint8Array[] | undefined {
  // Why: check the length before touching elements, so a huge array costs nothing to refuse.
  if (!Array.isArray(value) || value.length > MAX_PROOF_LENGTH) return undefined;
  const proof: unknown[] = Array.from(value as unknown[]);
  return proof.every(isHash) ? proof : undefined;
}
