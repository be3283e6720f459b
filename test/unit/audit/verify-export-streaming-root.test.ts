// The verifier's streaming root agrees with the Merkle library's append path at every size.
import assert from 'node:assert/strict';
import {
  appendLeaf,
  compactRangeRoot,
  EMPTY_RANGE,
  leafHash,
} from '../../../src/audit/merkle/index.js';
import { StreamingRoot } from '../../../src/audit/verify-export/streaming-root.js';
import { mth } from './merkle-reference.js';

describe('StreamingRoot', () => {
  it('keeps the frontier and root appendLeaf keeps, and RFC 9162 MTH, for sizes 0 to 300', () => {
    const streaming = new StreamingRoot();
    let range = EMPTY_RANGE;
    const leaves: Uint8Array[] = [];
    for (let size = 0; size <= 300; size += 1) {
      assert.deepEqual(streaming.range, range, `frontier at ${size}`);
      assert.deepEqual(streaming.root(), compactRangeRoot(range), `root at ${size}`);
      assert.deepEqual(streaming.root(), mth(leaves), `MTH at ${size}`);
      const leaf = leafHash(Uint8Array.of(size % 256, size >> 8));
      leaves.push(leaf);
      streaming.append(leaf);
      range = appendLeaf(range, leaf).range;
    }
  });
});
