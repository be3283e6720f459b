import assert from 'node:assert/strict';
import {
  EMPTY_RANGE,
  MerkleError,
  appendLeaf,
  compactRangeFrom,
  compactRangeKeys,
  compactRangeRoot,
  leftSiblingKeys,
  nodeId,
  nodesCompletedBy,
  rootAt,
  type CompactRange,
  type NodeKey,
} from '../../../src/audit/merkle/index.js';
import { directNodeTable, hex, sampleLeaves, tableReader } from './merkle-reference.js';
import { COMPACT_TREES } from './merkle-plan-vectors.js';
import { NODE_HASHES_HEX } from './merkle-vectors.js';

const MAX = 300;
const leaves = sampleLeaves(MAX);
const direct = directNodeTable(leaves);
const toText = (keys: readonly NodeKey[]): string =>
  keys.map((key) => `${key.level}.${key.index}`).join(' ');
const isMerkle = (code: string) => (error: unknown) =>
  error instanceof MerkleError && error.code === code;

/** Appends leaves one by one as a store would: read the left siblings, write the completed nodes. */
function appendAll(count: number): Map<string, Uint8Array> {
  const table = new Map<string, Uint8Array>();
  for (let index = 0; index < count; index += 1) {
    const siblings = leftSiblingKeys(index).map((key) => table.get(nodeId(key))!);
    for (const node of nodesCompletedBy(index, leaves[index]!, siblings)) {
      assert.equal(table.has(nodeId(node)), false, `node ${nodeId(node)} is written once`);
      table.set(nodeId(node), node.hash);
    }
  }
  return table;
}

describe('Merkle append', () => {
  it('builds exactly the complete-subtree table computed directly', () => {
    const table = appendAll(MAX);
    assert.deepEqual([...table.keys()].sort(), [...direct.keys()].sort());
    for (const [id, hash] of table) assert.equal(hex(hash), hex(direct.get(id)!), id);
  });

  it('names one left sibling per trailing 1-bit of the index, lowest level first', () => {
    assert.equal(toText(leftSiblingKeys(0)), '');
    assert.equal(toText(leftSiblingKeys(6)), '');
    assert.equal(toText(leftSiblingKeys(7)), '0.6 1.2 2.0');
    assert.equal(toText(leftSiblingKeys(11)), '0.10 1.4');
    assert.equal(leftSiblingKeys(2 ** 52 - 1).length, 52);
  });

  it('keeps a frontier whose root equals rootAt after every append', async () => {
    const store = tableReader(direct);
    let range: CompactRange = EMPTY_RANGE;
    assert.equal(hex(compactRangeRoot(range)), hex(await rootAt(0, store.read)));
    for (let index = 0; index < MAX; index += 1) {
      const siblings = leftSiblingKeys(index).map((key) => direct.get(nodeId(key))!);
      const result = appendLeaf(range, leaves[index]!);
      assert.deepEqual(result.completed, nodesCompletedBy(index, leaves[index]!, siblings));
      range = result.range;
      assert.equal(range.size, index + 1);
      assert.equal(hex(compactRangeRoot(range)), hex(await rootAt(range.size, store.read)));
    }
  });

  it('matches the published compact trees of the 8-leaf vectors', () => {
    const vectorLeaves = NODE_HASHES_HEX[0]!.map((h) => new Uint8Array(Buffer.from(h, 'hex')));
    let range: CompactRange = EMPTY_RANGE;
    COMPACT_TREES.forEach((nodes, size) => {
      assert.equal(toText(compactRangeKeys(size)), nodes);
      const expected =
        nodes === ''
          ? []
          : nodes.split(' ').map((id) => {
              const [level, index] = id.split('.').map(Number) as [number, number];
              return NODE_HASHES_HEX[level]![index]!;
            });
      assert.deepEqual(range.hashes.map(hex), expected, `size ${size}`);
      if (size < 8) range = appendLeaf(range, vectorLeaves[size]!).range;
    });
  });

  it('resumes from a frontier read back from the store', () => {
    for (const size of [0, 1, 5, 64, 255, 299]) {
      const hashes = compactRangeKeys(size).map((key) => direct.get(nodeId(key))!);
      const resumed = appendLeaf(compactRangeFrom(size, hashes), leaves[size]!);
      const again = compactRangeKeys(size + 1).map((key) => hex(direct.get(nodeId(key))!));
      assert.deepEqual(resumed.range.hashes.map(hex), again);
    }
  });

  it('refuses siblings or frontiers that do not fit, with MERKLE_NODE_INVALID', () => {
    const invalid = isMerkle('MERKLE_NODE_INVALID');
    const hash = leaves[0]!;
    assert.throws(() => nodesCompletedBy(3, hash, [hash]), invalid);
    assert.throws(() => nodesCompletedBy(1, hash, [new Uint8Array(31)]), invalid);
    assert.throws(() => nodesCompletedBy(0, new Uint8Array(0), []), invalid);
    assert.throws(() => compactRangeFrom(3, [hash]), invalid);
    assert.throws(() => compactRangeFrom(1, [new Uint8Array(33)]), invalid);
    assert.throws(() => appendLeaf({ size: 3, hashes: [hash] }, hash), invalid);
    // Two subtrees for a tree of two leaves: the sibling count alone would not notice.
    assert.throws(() => appendLeaf({ size: 2, hashes: [hash, hash] }, hash), invalid);
  });

  it('refuses impossible positions with MERKLE_ARGUMENT_INVALID', () => {
    const invalid = isMerkle('MERKLE_ARGUMENT_INVALID');
    assert.throws(() => leftSiblingKeys(-1), invalid);
    assert.throws(() => leftSiblingKeys(0.5), invalid);
    const full = { size: Number.MAX_SAFE_INTEGER, hashes: [] };
    assert.throws(() => appendLeaf(full, leaves[0]!), invalid);
  });
});
