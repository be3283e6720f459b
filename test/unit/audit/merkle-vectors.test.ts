import assert from 'node:assert/strict';
import {
  EMPTY_ROOT,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootAt,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/audit/merkle/index.js';
import { fromHex, hex, hexAll, tableReader } from './merkle-reference.js';
import {
  CONSISTENCY_VECTORS,
  HASHER_VECTORS,
  INCLUSION_VECTORS,
  LEAF_INPUTS_HEX,
  NODE_HASHES_HEX,
  ROOTS_HEX,
} from './merkle-vectors.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const leaves = LEAF_INPUTS_HEX.map((input) => leafHash(fromHex(input)));
const root = (size: number): Uint8Array => fromHex(ROOTS_HEX[size]!);
// The storage layer's table, filled from the published node hashes, not from our own code.
const table = new Map(
  NODE_HASHES_HEX.flatMap((row, level) => row.map((h, index) => [`${level}/${index}`, fromHex(h)])),
);
const store = tableReader(table);
const someHash = fromHex('abacaba000000000000000000000000000000000000000000060061e00123456');

describe('Merkle hashing (RFC 6962 reference vectors)', () => {
  it('hashes the empty tree to SHA-256 of nothing', () => {
    assert.equal(hex(EMPTY_ROOT), HASHER_VECTORS.emptyRoot);
  });

  it('hashes an empty leaf with the 0x00 prefix, unlike the empty tree', () => {
    assert.equal(hex(leafHash(new Uint8Array(0))), HASHER_VECTORS.emptyLeaf);
  });

  it('hashes leaves and nodes with their domain prefixes', () => {
    assert.equal(hex(leafHash(utf8('L123456'))), HASHER_VECTORS.leafL123456);
    assert.equal(hex(nodeHash(utf8('N123'), utf8('N456'))), HASHER_VECTORS.nodeN123N456);
  });

  it('hashes each of the eight test leaves to its published level-0 node', () => {
    assert.deepEqual(hexAll(leaves), NODE_HASHES_HEX[0]);
  });
});

describe('Merkle roots and proofs over the published 8-leaf tree', () => {
  for (let size = 0; size <= 8; size += 1) {
    it(`computes the published root of the first ${size} leaves`, async () => {
      assert.equal(hex(await rootAt(size, store.read)), ROOTS_HEX[size]);
    });
  }

  for (const vector of INCLUSION_VECTORS) {
    const { index, size } = vector;
    it(`produces and verifies the published path for leaf ${index} of ${size}`, async () => {
      const proof = await inclusionProof(index, size, store.read);
      assert.deepEqual(hexAll(proof), vector.proof);
      assert.ok(verifyInclusion(leaves[index]!, index, size, proof, root(size)));
      assert.equal(
        hex(rootFromInclusionProof(leaves[index]!, index, size, proof)!),
        hex(root(size)),
      );
    });

    it(`refuses the path for leaf ${index} of ${size} at another position or size`, () => {
      const proof = vector.proof.map(fromHex);
      const leaf = leaves[index]!;
      for (const [i, n] of [
        [index - 1, size],
        [index + 1, size],
        [index ^ 2, size],
        [index, size * 2],
        [index, Math.floor(size / 2)],
      ] as const) {
        assert.equal(verifyInclusion(leaf, i, n, proof, root(size)), false, `${i} of ${n}`);
      }
      assert.equal(verifyInclusion(leaf, index, size, proof, EMPTY_ROOT), false);
      assert.equal(verifyInclusion(leaf, index, size, proof, someHash), false);
      assert.equal(verifyInclusion(someHash, index, size, proof, root(size)), false);
      assert.equal(verifyInclusion(leaf, index, size, [...proof, root(size)], root(size)), false);
      assert.equal(verifyInclusion(leaf, index, size, [root(size), ...proof], root(size)), false);
    });
  }

  for (const vector of CONSISTENCY_VECTORS) {
    const { from, to } = vector;
    it(`produces and verifies the published consistency proof from ${from} to ${to}`, async () => {
      const proof = await consistencyProof(from, to, store.read);
      assert.deepEqual(hexAll(proof), vector.proof);
      assert.ok(verifyConsistency(from, to, proof, root(from), root(to)));
    });
  }

  for (const vector of CONSISTENCY_VECTORS.filter((v) => v.proof.length > 0)) {
    const { from, to } = vector;
    it(`refuses the proof from ${from} to ${to} for other sizes or roots`, () => {
      const proof = vector.proof.map(fromHex);
      const [r1, r2] = [root(from), root(to)];
      for (const [m, n] of [
        [from - 1, to],
        [from + 1, to],
        [from ^ 2, to],
        [from, to * 2],
        [from, Math.floor(to / 2)],
      ] as const) {
        assert.equal(verifyConsistency(m, n, proof, r1, r2), false, `${m} to ${n}`);
      }
      assert.equal(verifyConsistency(from, to, proof, r2, r1), false);
      assert.equal(verifyConsistency(from, to, proof, someHash, r2), false);
      assert.equal(verifyConsistency(from, to, proof, r1, someHash), false);
      assert.equal(verifyConsistency(from, to, [], r1, r2), false);
      for (const extra of [r1, r2, proof[0]!]) {
        assert.equal(verifyConsistency(from, to, [...proof, extra], r1, r2), false);
        assert.equal(verifyConsistency(from, to, [extra, ...proof], r1, r2), false);
      }
    });
  }
});
