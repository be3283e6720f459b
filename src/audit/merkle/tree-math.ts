// Integer arithmetic on tree sizes up to 2^53 - 1 without 32-bit bitwise operators.
import { MerkleError } from './merkle-error.js';

/** Whether `value` is a tree size or leaf index the core can represent exactly. */
export function isTreeSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Throws MERKLE_ARGUMENT_INVALID unless `value` is a safe non-negative integer. */
export function assertTreeSize(value: number, name: string): void {
  if (!isTreeSize(value)) {
    throw new MerkleError('MERKLE_ARGUMENT_INVALID', `${name} must be a safe non-negative integer`);
  }
}

/** The largest power of two strictly less than `n`, for n ≥ 2 (RFC 9162 §2.1.1's k). */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  return largestPowerOfTwoBelow(n) * 2 === n || n === 1;
}

/** n >> 1 for any safe integer; `>>` would truncate to 32 bits. */
export function half(n: number): number {
  return Math.floor(n / 2);
}

/** Whether the lowest bit of the safe integer `n` is set. */
export function isOdd(n: number): boolean {
  return n % 2 === 1;
}
