// A naive Merkle tree straight from RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1, to test the core against.
import { createHash } from 'node:crypto';
import type { NodeKey, NodeReader } from '../../../src/audit/merkle/index.js';

const sha256 = (...parts: readonly Uint8Array[]): Uint8Array => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};

export const refLeafHash = (data: Uint8Array): Uint8Array => sha256(Uint8Array.of(0), data);
const refNodeHash = (left: Uint8Array, right: Uint8Array): Uint8Array =>
  sha256(Uint8Array.of(1), left, right);

/** k: the largest power of two smaller than n (n > 1); exact for the small n these tests use. */
const split = (n: number): number => 2 ** Math.ceil(Math.log2(n) - 1);

/** MTH(D[n]) over leaf hashes (so MTH({d}) is the given hash itself). */
export function mth(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0]!;
  const k = split(leaves.length);
  return refNodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** PATH(m, D[n]). */
export function path(m: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k
    ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

function subproof(m: number, leaves: readonly Uint8Array[], b: boolean): Uint8Array[] {
  if (m === leaves.length) return b ? [] : [mth(leaves)];
  const k = split(leaves.length);
  return m <= k
    ? [...subproof(m, leaves.slice(0, k), b), mth(leaves.slice(k))]
    : [...subproof(m - k, leaves.slice(k), false), mth(leaves.slice(0, k))];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
export const proof = (m: number, leaves: readonly Uint8Array[]): Uint8Array[] =>
  subproof(m, leaves, true);

/** Every complete subtree hash of the tree, computed directly, keyed "level/index". */
export function directNodeTable(leaves: readonly Uint8Array[]): Map<string, Uint8Array> {
  const table = new Map<string, Uint8Array>();
  for (let level = 0; 2 ** level <= leaves.length; level += 1) {
    const width = 2 ** level;
    for (let index = 0; (index + 1) * width <= leaves.length; index += 1) {
      table.set(`${level}/${index}`, mth(leaves.slice(index * width, (index + 1) * width)));
    }
  }
  return table;
}

/** A store over a node table that counts its batched reads and the keys they asked for. */
export function tableReader(table: ReadonlyMap<string, Uint8Array>): {
  read: NodeReader;
  reads: NodeKey[][];
} {
  const reads: NodeKey[][] = [];
  const read: NodeReader = (keys) => {
    reads.push([...keys]);
    return Promise.resolve(
      keys.map((key) => {
        const hash = table.get(`${key.level}/${key.index}`);
        if (hash === undefined) throw new Error(`no node ${key.level}/${key.index}`);
        return hash;
      }),
    );
  };
  return { read, reads };
}

/** Distinct leaf hashes for test trees: leaf i hashes the text "entry i". */
export const sampleLeaves = (n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => refLeafHash(new TextEncoder().encode(`entry ${i}`)));

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const hexAll = (list: readonly Uint8Array[]): string[] => list.map(hex);
export const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
