// RFC 9162 §2.1.1 hashing: SHA-256 with domain-separating prefixes for leaves (0x00) and nodes (0x01).
import { createHash, timingSafeEqual } from 'node:crypto';

/** Octets in every hash of the tree (SHA-256). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  // A plain Uint8Array, not a Buffer, so callers' deepEqual and instanceof behave the same.
  return new Uint8Array(hash.digest());
}

/** MTH({d}) = SHA-256(0x00 || d): the hash of one log entry. */
export function leafHash(data: Uint8Array): Uint8Array {
  // Why: the 0x00 prefix keeps a leaf from ever being read as an interior node (second preimage).
  return sha256(LEAF_PREFIX, data);
}

/** SHA-256(0x01 || left || right): the hash of an interior node from its two children. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** MTH({}) = SHA-256(""): a fresh copy each call, so no caller can alter the library's copy. */
export function emptyRoot(): Uint8Array {
  return sha256();
}

/** SHA-256(""), the root of the empty tree. Treat as read-only; the library never reads it back. */
export const EMPTY_ROOT: Uint8Array = emptyRoot();

/** Whether `value` is a Uint8Array of exactly HASH_SIZE octets. */
export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

/** Whether two values are equal hashes; false unless both are HASH_SIZE-octet arrays. */
export function equalHashes(a: unknown, b: unknown): boolean {
  return isHash(a) && isHash(b) && timingSafeEqual(a, b);
}
