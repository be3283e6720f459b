import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  EMPTY_ROOT,
  MAX_PROOF_LENGTH,
  leafHash,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/audit/merkle/index.js';
import { fromHex } from './merkle-reference.js';
import { INCLUSION_VECTORS, LEAF_INPUTS_HEX, ROOTS_HEX } from './merkle-vectors.js';

// Hostile callers send anything; the casts model JSON or bytes decoded without a schema.
type Hostile = never;
const hostile = (value: unknown): Hostile => value as Hostile;
const leaf = leafHash(fromHex(LEAF_INPUTS_HEX[5]));
const vector = INCLUSION_VECTORS[2]!; // leaf 5 of 8
const goodProof = vector.proof.map(fromHex);
const root8 = fromHex(ROOTS_HEX[8]);
const root = (size: number): Uint8Array => fromHex(ROOTS_HEX[size]!);
const hashes = (n: number, fill = 7): Uint8Array[] =>
  Array.from({ length: n }, () => new Uint8Array(32).fill(fill));
const badSizes: unknown[] = [-1, 1.5, Number.NaN, Infinity, -Infinity, 2 ** 53, 2 ** 64, '5', 5n];

describe('verifyInclusion refuses hostile input with false', () => {
  it('accepts the untouched vector, so the refusals below are about the damage', () => {
    assert.ok(verifyInclusion(leaf, 5, 8, goodProof, root8));
  });

  it('refuses an index at or beyond the size, and the empty tree', () => {
    assert.equal(verifyInclusion(leaf, 8, 8, goodProof, root8), false);
    assert.equal(verifyInclusion(leaf, 9, 8, goodProof, root8), false);
    assert.equal(verifyInclusion(EMPTY_ROOT, 0, 0, [], EMPTY_ROOT), false);
  });

  it('refuses sizes and indices that are not safe non-negative integers', () => {
    for (const bad of badSizes) {
      assert.equal(verifyInclusion(leaf, hostile(bad), 8, goodProof, root8), false, String(bad));
      assert.equal(verifyInclusion(leaf, 5, hostile(bad), goodProof, root8), false, String(bad));
    }
  });

  it('refuses leaf, root and proof hashes that are not 32 octets', () => {
    for (const bad of [new Uint8Array(31), new Uint8Array(33), new Uint8Array(0), 'ab', null]) {
      assert.equal(verifyInclusion(hostile(bad), 5, 8, goodProof, root8), false);
      assert.equal(verifyInclusion(leaf, 5, 8, goodProof, hostile(bad)), false);
      assert.equal(
        verifyInclusion(leaf, 5, 8, [...goodProof.slice(0, 2), hostile(bad)], root8),
        false,
      );
    }
    assert.equal(verifyInclusion(leaf, 5, 8, hostile([Array.from(goodProof[0]!)]), root8), false);
  });

  it('refuses a proof that is not an array, or longer than 64 elements', () => {
    for (const bad of [undefined, null, 'proof', { length: 3 }, goodProof[0]]) {
      assert.equal(verifyInclusion(leaf, 5, 8, hostile(bad), root8), false);
    }
    const long = hashes(MAX_PROOF_LENGTH + 1);
    assert.equal(MAX_PROOF_LENGTH, 64);
    assert.equal(verifyInclusion(leaf, 5, 2 ** 53 - 1, long, root8), false);
    assert.equal(rootFromInclusionProof(leaf, 5, 8, long), undefined);
  });

  it('refuses a proof over 64 elements without reading one of them', () => {
    // Why: the length cap bounds the work a hostile proof costs before any element is examined.
    for (const length of [MAX_PROOF_LENGTH + 1, 1_000_000_000]) {
      const huge: Uint8Array[] = [];
      huge.length = length;
      let reads = 0;
      const counted = new Proxy(huge, {
        get: (target, key, receiver) => {
          if (typeof key === 'string' && /^\d+$/.test(key)) reads += 1;
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
      assert.equal(verifyInclusion(leaf, 5, 8, counted, root8), false);
      assert.equal(verifyConsistency(6, 8, counted, root(6), root8), false);
      assert.equal(reads, 0, `${length} elements`);
    }
  });

  it('refuses a too-short or too-long path, and an empty path for a bigger tree', () => {
    assert.equal(verifyInclusion(leaf, 5, 8, goodProof.slice(0, 2), root8), false);
    assert.equal(verifyInclusion(leaf, 5, 8, [...goodProof, root8], root8), false);
    assert.equal(verifyInclusion(root8, 0, 8, [], root8), false);
    assert.equal(rootFromInclusionProof(leaf, 5, 8, goodProof.slice(0, 2)), undefined);
  });

  it('answers quickly for the largest safe tree with a full-length path', () => {
    const size = Number.MAX_SAFE_INTEGER;
    for (const index of [0, 1, size - 1, size - 2, 2 ** 52]) {
      for (const length of [0, 1, 52, 53, 54, 64]) {
        assert.equal(verifyInclusion(leaf, index, size, hashes(length), root8), false);
      }
    }
  });
});

describe('verifyConsistency refuses hostile input with false', () => {
  const [r6, r8] = [root(6), root(8)];
  const proof68 = [
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  ].map(fromHex);

  it('accepts the untouched vector, so the refusals below are about the damage', () => {
    assert.ok(verifyConsistency(6, 8, proof68, r6, r8));
  });

  it('refuses a tree that shrank', () => {
    assert.equal(verifyConsistency(8, 6, proof68, r8, r6), false);
    assert.equal(verifyConsistency(8, 6, [], r8, r6), false);
  });

  it('refuses consistency from size 0, which RFC 9162 leaves undefined', () => {
    assert.equal(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT), false);
    assert.equal(verifyConsistency(0, 8, [], EMPTY_ROOT, r8), false);
    assert.equal(verifyConsistency(0, 8, proof68, EMPTY_ROOT, r8), false);
  });

  it('requires an empty proof and equal roots for equal sizes', () => {
    assert.ok(verifyConsistency(8, 8, [], r8, r8));
    assert.equal(verifyConsistency(8, 8, [], r8, r6), false);
    assert.equal(verifyConsistency(8, 8, [r8], r8, r8), false);
  });

  it('refuses an empty proof for different sizes, even with plausible roots', () => {
    assert.equal(verifyConsistency(6, 8, [], r6, r8), false);
    assert.equal(verifyConsistency(4, 8, [], root(4), r8), false);
  });

  it('refuses sizes that are not safe non-negative integers', () => {
    for (const bad of badSizes) {
      assert.equal(verifyConsistency(hostile(bad), 8, proof68, r6, r8), false, String(bad));
      assert.equal(verifyConsistency(6, hostile(bad), proof68, r6, r8), false, String(bad));
    }
  });

  it('refuses roots and proof elements that are not 32 octets, and proofs over 64', () => {
    for (const bad of [new Uint8Array(31), new Uint8Array(33), 'ab', undefined]) {
      assert.equal(verifyConsistency(6, 8, proof68, hostile(bad), r8), false);
      assert.equal(verifyConsistency(6, 8, proof68, r6, hostile(bad)), false);
      assert.equal(verifyConsistency(6, 8, [hostile(bad), ...proof68.slice(1)], r6, r8), false);
      assert.equal(verifyConsistency(8, 8, hostile(bad), r8, r8), false);
    }
    assert.equal(verifyConsistency(6, 2 ** 53 - 1, hashes(65), r6, r8), false);
  });

  it('answers quickly for the largest safe trees with full-length proofs', () => {
    const size = Number.MAX_SAFE_INTEGER;
    for (const from of [1, 2, 3, 2 ** 52, size - 1]) {
      for (const length of [1, 2, 53, 54, 64]) {
        assert.equal(verifyConsistency(from, size, hashes(length), r6, r8), false);
      }
    }
  });
});

describe('Merkle verification never throws (property)', () => {
  const sizeArb = fc.oneof(
    fc.integer({ min: -2, max: 70 }),
    fc.constantFrom(2 ** 53 - 1, 2 ** 53, 2 ** 32, 2 ** 31 - 1, -0),
    fc.double(),
    fc.anything(),
  );
  const hashArb = fc.oneof(
    fc.uint8Array({ minLength: 32, maxLength: 32 }),
    fc.uint8Array({ maxLength: 40 }),
    fc.anything(),
  );
  const proofArb = fc.oneof(
    fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 70 }),
    fc.array(hashArb, { maxLength: 70 }),
    fc.anything(),
  );

  it('returns a boolean for any inclusion input', () => {
    fc.assert(
      fc.property(hashArb, sizeArb, sizeArb, proofArb, hashArb, (l, i, n, p, r) => {
        const verdict = verifyInclusion(hostile(l), hostile(i), hostile(n), hostile(p), hostile(r));
        assert.equal(typeof verdict, 'boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('returns a boolean for any consistency input', () => {
    fc.assert(
      fc.property(sizeArb, sizeArb, proofArb, hashArb, hashArb, (m, n, p, r1, r2) => {
        const verdict = verifyConsistency(
          hostile(m),
          hostile(n),
          hostile(p),
          hostile(r1),
          hostile(r2),
        );
        assert.equal(typeof verdict, 'boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts no random 32-octet proof for small trees', () => {
    const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
    const proof = fc.array(hash, { maxLength: 8 });
    fc.assert(
      fc.property(fc.nat(40), fc.nat(40), proof, hash, hash, (a, b, p, x, y) => {
        assert.equal(verifyInclusion(x, Math.min(a, b), Math.max(a, b) + 1, p, y), false);
        assert.equal(verifyConsistency(Math.min(a, b) + 1, Math.max(a, b) + 2, p, x, y), false);
      }),
      { numRuns: 500 },
    );
  });
});
