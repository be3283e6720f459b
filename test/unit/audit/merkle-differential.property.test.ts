import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  rootAt,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/audit/merkle/index.js';
import {
  directNodeTable,
  hex,
  hexAll,
  mth,
  path,
  proof,
  sampleLeaves,
  tableReader,
} from './merkle-reference.js';

const MAX = 300;
const RUNS = 400;
const leaves = sampleLeaves(MAX);
// One stored tree of MAX leaves answers every smaller size, as the storage layer's table does.
const store = tableReader(directNodeTable(leaves));
const sizeArb = fc.integer({ min: 1, max: MAX });
const indexInTree = sizeArb.chain((size) =>
  fc.tuple(fc.integer({ min: 0, max: size - 1 }), fc.constant(size)),
);
const sizePair = fc
  .tuple(sizeArb, sizeArb)
  .map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a]));

describe('Merkle core against the RFC 9162 reference (differential)', () => {
  it('computes MTH for every size from 0 to MAX', async () => {
    for (let size = 0; size <= MAX; size += 1) {
      assert.equal(hex(await rootAt(size, store.read)), hex(mth(leaves.slice(0, size))), `${size}`);
    }
  });

  it('produces PATH for every leaf of every tree up to 64 leaves, and each verifies', async () => {
    for (let size = 1; size <= 64; size += 1) {
      const root = mth(leaves.slice(0, size));
      for (let index = 0; index < size; index += 1) {
        const got = await inclusionProof(index, size, store.read);
        assert.deepEqual(hexAll(got), hexAll(path(index, leaves.slice(0, size))));
        assert.ok(verifyInclusion(leaves[index]!, index, size, got, root), `${index} of ${size}`);
      }
    }
  });

  it('produces PROOF for every pair of sizes up to 64 leaves, and each verifies', async () => {
    for (let to = 1; to <= 64; to += 1) {
      for (let from = 1; from <= to; from += 1) {
        const got = await consistencyProof(from, to, store.read);
        assert.deepEqual(hexAll(got), hexAll(proof(from, leaves.slice(0, to))));
        const [r1, r2] = [mth(leaves.slice(0, from)), mth(leaves.slice(0, to))];
        assert.ok(verifyConsistency(from, to, got, r1, r2), `${from} to ${to}`);
      }
    }
  });

  it('produces PATH like the reference for random leaves of trees up to MAX', async () => {
    await fc.assert(
      fc.asyncProperty(indexInTree, async ([index, size]) => {
        const got = await inclusionProof(index, size, store.read);
        assert.deepEqual(hexAll(got), hexAll(path(index, leaves.slice(0, size))));
        assert.ok(verifyInclusion(leaves[index]!, index, size, got, mth(leaves.slice(0, size))));
      }),
      { numRuns: RUNS },
    );
  });

  it('produces PROOF like the reference for random sizes up to MAX', async () => {
    await fc.assert(
      fc.asyncProperty(sizePair, async ([from, to]) => {
        const got = await consistencyProof(from, to, store.read);
        assert.deepEqual(hexAll(got), hexAll(proof(from, leaves.slice(0, to))));
        const [r1, r2] = [mth(leaves.slice(0, from)), mth(leaves.slice(0, to))];
        assert.ok(verifyConsistency(from, to, got, r1, r2));
      }),
      { numRuns: RUNS },
    );
  });

  it('verifies reference proofs over arbitrary leaf data', () => {
    const dataArb = fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 70 });
    fc.assert(
      fc.property(dataArb, fc.nat(), fc.nat(), (data, a, b) => {
        const hashes = data.map((entry) => leafHash(entry));
        const [index, from] = [a % hashes.length, 1 + (b % hashes.length)];
        const root = mth(hashes);
        assert.ok(verifyInclusion(hashes[index]!, index, hashes.length, path(index, hashes), root));
        const r1 = mth(hashes.slice(0, from));
        assert.ok(verifyConsistency(from, hashes.length, proof(from, hashes), r1, root));
      }),
      { numRuns: 200 },
    );
  });
});
