import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  consistencyProof,
  inclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/audit/merkle/index.js';
import { directNodeTable, mth, sampleLeaves, tableReader } from './merkle-reference.js';

const MAX = 200;
const RUNS = 300;
const leaves = sampleLeaves(MAX);
const store = tableReader(directNodeTable(leaves));
const roots = Array.from({ length: MAX + 1 }, (_, size) => mth(leaves.slice(0, size)));
const hashArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

type Proof = readonly Uint8Array[];

/** Ways to damage a proof that has at least one element; each must make verification fail. */
const tamperArb: fc.Arbitrary<(proof: Proof) => Proof> = fc.oneof(
  fc.tuple(fc.nat(), fc.nat({ max: 255 })).map(([at, bit]) => (proof: Proof) => {
    const copy = proof.map((hash) => Uint8Array.from(hash));
    copy[at % copy.length]![Math.floor(bit / 8)]! ^= 1 << (bit % 8);
    return copy;
  }),
  fc.nat().map((at) => (proof: Proof) => {
    if (proof.length < 2) return [...proof, proof[0]!];
    const i = at % (proof.length - 1);
    return [...proof.slice(0, i), proof[i + 1]!, proof[i]!, ...proof.slice(i + 2)];
  }),
  fc.constant((proof: Proof) => proof.slice(0, -1)),
  fc.constant((proof: Proof) => proof.slice(1)),
  hashArb.map((extra) => (proof: Proof) => [...proof, extra]),
  hashArb.map((extra) => (proof: Proof) => [extra, ...proof]),
  fc.nat().map((at) => (proof: Proof) => [...proof, proof[at % proof.length]!]),
);

const indexInTree = fc
  .integer({ min: 2, max: MAX })
  .chain((size) => fc.tuple(fc.integer({ min: 0, max: size - 1 }), fc.constant(size)));
const growth = fc
  .integer({ min: 2, max: MAX })
  .chain((to) => fc.tuple(fc.integer({ min: 1, max: to - 1 }), fc.constant(to)));

describe('Merkle verification refuses damaged proofs (property)', () => {
  it('refuses an inclusion proof with a flipped bit, swapped, missing or extra element', async () => {
    await fc.assert(
      fc.asyncProperty(indexInTree, tamperArb, async ([index, size], tamper) => {
        const proof = await inclusionProof(index, size, store.read);
        assert.equal(
          verifyInclusion(leaves[index]!, index, size, tamper(proof), roots[size]!),
          false,
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses an inclusion proof presented for another leaf of the same tree', async () => {
    await fc.assert(
      fc.asyncProperty(indexInTree, fc.nat(), async ([index, size], shift) => {
        const other = (index + 1 + (shift % (size - 1))) % size;
        const proof = await inclusionProof(index, size, store.read);
        assert.equal(verifyInclusion(leaves[index]!, other, size, proof, roots[size]!), false);
        assert.equal(verifyInclusion(leaves[other]!, index, size, proof, roots[size]!), false);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a consistency proof with a flipped bit, swapped, missing or extra element', async () => {
    await fc.assert(
      fc.asyncProperty(growth, tamperArb, async ([from, to], tamper) => {
        const proof = await consistencyProof(from, to, store.read);
        const [r1, r2] = [roots[from]!, roots[to]!];
        assert.equal(verifyConsistency(from, to, tamper(proof), r1, r2), false);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a consistency proof against a root of another size', async () => {
    await fc.assert(
      fc.asyncProperty(growth, fc.integer({ min: 1, max: MAX }), async ([from, to], other) => {
        fc.pre(other !== from && other !== to);
        const proof = await consistencyProof(from, to, store.read);
        assert.equal(verifyConsistency(from, to, proof, roots[other]!, roots[to]!), false);
        assert.equal(verifyConsistency(from, to, proof, roots[from]!, roots[other]!), false);
      }),
      { numRuns: RUNS },
    );
  });
});
