import assert from 'node:assert/strict';
import {
  EMPTY_ROOT,
  MerkleError,
  assembleProof,
  assembleRoot,
  consistencyProof,
  inclusionProof,
  leafHash,
  planInclusionProof,
  rootAt,
  type NodeKey,
  type NodeReader,
} from '../../../src/audit/merkle/index.js';
import { directNodeTable, hex, hexAll, mth, path, sampleLeaves } from './merkle-reference.js';

const leaves = sampleLeaves(40);
const table = directNodeTable(leaves);
const isMerkle = (code: string) => (error: unknown) =>
  error instanceof MerkleError && error.code === code;

/** A store of any size: each node's hash is derived from its key; it counts batched reads. */
function countingReader(): { read: NodeReader; batches: number[] } {
  const batches: number[] = [];
  const read: NodeReader = (keys) => {
    batches.push(keys.length);
    return Promise.resolve(keys.map((key) => leafHash(Buffer.from(`${key.level}/${key.index}`))));
  };
  return { read, batches };
}

describe('Merkle reads from storage', () => {
  it('answers each question about a tree of 1,000,000 leaves with one read of ≤ 2·64 keys', async () => {
    const size = 1_000_000;
    const { read, batches } = countingReader();
    await rootAt(size, read);
    for (const index of [0, 1, 499_999, 524_288, 999_998, 999_999]) {
      await inclusionProof(index, size, read);
    }
    for (const from of [1, 2, 3, 524_287, 524_288, 999_999]) {
      await consistencyProof(from, size, read);
    }
    assert.equal(batches.length, 13, 'one batched read per question');
    for (const count of batches) assert.ok(count >= 1 && count <= 2 * 64, `${count} keys`);
    assert.ok(Math.max(...batches) <= 2 * 20 + 1, 'about twice the tree depth, log2(10^6) < 20');
  });

  it('does not read at all for the empty tree or a proof with no elements', async () => {
    const { read, batches } = countingReader();
    assert.equal(hex(await rootAt(0, read)), hex(EMPTY_ROOT));
    assert.deepEqual(await inclusionProof(0, 1, read), []);
    assert.deepEqual(await consistencyProof(9, 9, read), []);
    assert.deepEqual(batches, []);
  });

  it('assembles from a lookup function as from a map', () => {
    const plan = planInclusionProof(13, 37);
    const byFunction = assembleProof(plan, (key: NodeKey) =>
      table.get(`${key.level}/${key.index}`),
    );
    assert.deepEqual(hexAll(byFunction), hexAll(path(13, leaves.slice(0, 37))));
    assert.equal(hex(assembleRoot(37, table)), hex(mth(leaves.slice(0, 37))));
  });

  it('throws MERKLE_NODE_MISSING when the lookup lacks a planned node', () => {
    const partial = new Map(table);
    partial.delete('2/2'); // 12 leaves = (3,0) and (2,2)
    assert.throws(() => assembleRoot(12, partial), isMerkle('MERKLE_NODE_MISSING'));
  });

  it('throws MERKLE_NODE_INVALID when the store answers the wrong count or malformed hashes', async () => {
    const invalid = isMerkle('MERKLE_NODE_INVALID');
    const short: NodeReader = (keys) => Promise.resolve(keys.slice(1).map(() => leaves[0]!));
    const long: NodeReader = (keys) => Promise.resolve([...keys, keys[0]].map(() => leaves[0]!));
    const malformed: NodeReader = (keys) => Promise.resolve(keys.map(() => new Uint8Array(31)));
    for (const read of [short, long, malformed]) {
      await assert.rejects(rootAt(7, read), invalid);
      await assert.rejects(inclusionProof(3, 7, read), invalid);
      await assert.rejects(consistencyProof(3, 7, read), invalid);
    }
    assert.throws(
      () =>
        assembleRoot(
          3,
          new Map([
            ['1/0', leaves[0]!],
            ['0/2', new Uint8Array(2)],
          ]),
        ),
      invalid,
    );
  });

  it('refuses impossible questions before reading, with MERKLE_ARGUMENT_INVALID', async () => {
    const invalid = isMerkle('MERKLE_ARGUMENT_INVALID');
    const { read, batches } = countingReader();
    await assert.rejects(rootAt(-1, read), invalid);
    await assert.rejects(inclusionProof(7, 7, read), invalid);
    await assert.rejects(consistencyProof(0, 7, read), invalid);
    await assert.rejects(consistencyProof(8, 7, read), invalid);
    assert.deepEqual(batches, []);
  });
});
