// The compact range of a growing tree, for one pass over a million leaves: RFC 9162 hashing, no reads.
import { compactRangeRoot, nodeHash, type CompactRange } from '../merkle/index.js';

/**
 * The frontier appendLeaf keeps (complete subtree roots, largest first), without what the server's
 * append needs and the verifier does not: the completed nodes to store and the frontier's re-check
 * against its keys, which cost more than the hashing itself at a million leaves. The root is the
 * Merkle library's own fold of this frontier.
 */
export class StreamingRoot {
  private readonly hashes: Uint8Array[] = [];
  size = 0;

  append(leaf: Uint8Array): void {
    let hash = leaf;
    // One merge per trailing 1-bit of the new leaf's index, as in RFC 9162's tree shape.
    for (let index = this.size; index % 2 === 1; index = (index - 1) / 2) {
      hash = nodeHash(this.hashes.pop() as Uint8Array, hash);
    }
    this.hashes.push(hash);
    this.size += 1;
  }

  get range(): CompactRange {
    return { size: this.size, hashes: [...this.hashes] };
  }

  /** MTH(D[0:size]). */
  root(): Uint8Array {
    return compactRangeRoot(this.range);
  }
}
