import assert from 'node:assert/strict';
import {
  MerkleError,
  compactRangeKeys,
  planConsistencyProof,
  planInclusionProof,
  planRoot,
  type NodeKey,
  type ProofPlan,
} from '../../../src/audit/merkle/index.js';
import {
  COMPACT_TREES,
  CONSISTENCY_NODE_SETS,
  INCLUSION_NODE_SETS,
} from './merkle-plan-vectors.js';

const toText = (keys: readonly NodeKey[]): string =>
  keys.map((key) => `${key.level}.${key.index}`).join(' ');
const sortedSet = (keys: readonly NodeKey[]): string[] =>
  keys.map((key) => `${key.level}.${key.index}`).sort();
const sortedText = (text: string): string[] => (text === '' ? [] : text.split(' ').sort());
const isMerkle = (code: string) => (error: unknown) =>
  error instanceof MerkleError && error.code === code;

/** Whether every key of the plan is read once and every element tiles its range, largest first. */
function assertWellFormed(plan: ProofPlan): void {
  const ids = plan.keys.map((key) => `${key.level}.${key.index}`);
  assert.equal(new Set(ids).size, ids.length, 'no node is read twice');
  assert.deepEqual(plan.keys, plan.elements.flat());
  for (const element of plan.elements) {
    const levels = element.map((key) => key.level);
    assert.deepEqual(
      levels,
      [...levels].sort((a, b) => b - a),
    );
  }
}

describe('Merkle read plans (transparency-dev node sets)', () => {
  for (const [size, index, nodes] of INCLUSION_NODE_SETS) {
    it(`reads ${nodes === '' ? 'nothing' : nodes} for leaf ${index} of ${size}`, () => {
      const plan = planInclusionProof(index, size);
      assertWellFormed(plan);
      assert.deepEqual(sortedSet(plan.keys), sortedText(nodes));
    });
  }

  for (const [from, to, nodes] of CONSISTENCY_NODE_SETS) {
    it(`reads ${nodes === '' ? 'nothing' : nodes} to prove ${from} consistent with ${to}`, () => {
      const plan = planConsistencyProof(from, to);
      assertWellFormed(plan);
      assert.deepEqual(sortedSet(plan.keys), sortedText(nodes));
    });
  }

  COMPACT_TREES.forEach((nodes, size) => {
    it(`tiles a tree of ${size} leaves as ${nodes === '' ? 'nothing' : nodes}`, () => {
      assert.equal(toText(compactRangeKeys(size)), nodes);
      assert.equal(toText(planRoot(size).keys), nodes);
    });
  });

  it('groups the nodes of the one incomplete right-edge element of a path', () => {
    // Leaf 0 of 7: siblings b, h, then l = MTH(D[4:7]) read as i (1,2) and j (0,6).
    assert.deepEqual(planInclusionProof(0, 7).elements.map(toText), ['0.1', '1.1', '1.2 0.6']);
  });
});

describe('Merkle read plans stay O(log n)', () => {
  const million = 1_000_000;
  const sizes = [million, 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER];

  for (const size of sizes) {
    it(`reads at most 2·64 nodes for any question about a tree of ${size} leaves`, () => {
      const depth = Math.ceil(Math.log2(size));
      const counts = [
        planRoot(size).keys.length,
        ...[0, 1, 12_345, Math.floor(size / 2), size - 2, size - 1].map(
          (index) => planInclusionProof(index, size).keys.length,
        ),
        ...[1, 2, 3, 524_287, Math.floor(size / 3), size - 1, size].map(
          (from) => planConsistencyProof(from, size).keys.length,
        ),
      ];
      for (const count of counts) {
        assert.ok(count <= 2 * 64, `${count} keys`);
        assert.ok(count <= 2 * depth + 1, `${count} keys for depth ${depth}`);
      }
    });
  }

  it('refuses to plan impossible questions with MERKLE_ARGUMENT_INVALID', () => {
    const invalid = isMerkle('MERKLE_ARGUMENT_INVALID');
    assert.throws(() => planRoot(-1), invalid);
    assert.throws(() => planRoot(1.5), invalid);
    assert.throws(() => planRoot(2 ** 53), invalid);
    assert.throws(() => planInclusionProof(0, 0), invalid);
    assert.throws(() => planInclusionProof(5, 5), invalid);
    assert.throws(() => planInclusionProof(-1, 5), invalid);
    assert.throws(() => planInclusionProof(Number.NaN, 5), invalid);
    assert.throws(() => planConsistencyProof(0, 5), invalid);
    assert.throws(() => planConsistencyProof(6, 5), invalid);
    assert.throws(() => planConsistencyProof(1, Number.POSITIVE_INFINITY), invalid);
  });
});
