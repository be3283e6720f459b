// The one error the Merkle core throws: a caller asked for an impossible tree, or the store answered wrongly.

/**
 * - `MERKLE_ARGUMENT_INVALID`: a size or index that is not a safe integer, or out of range.
 * - `MERKLE_NODE_MISSING`: a node the plan needs was not in the lookup.
 * - `MERKLE_NODE_INVALID`: the store returned the wrong number of nodes, or one not 32 octets.
 */
export type MerkleErrorCode =
  'MERKLE_ARGUMENT_INVALID' | 'MERKLE_NODE_MISSING' | 'MERKLE_NODE_INVALID';

export class MerkleError extends Error {
  override readonly name = 'MerkleError';
  readonly code: MerkleErrorCode;

  constructor(code: MerkleErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.code = code;
  }
}

export const isMerkleError = (value: unknown): value is MerkleError => value instanceof MerkleError;
