// Certificate serial numbers: random 128-bit positive integers, and one canonical hex spelling for lookups.
import { randomBytes } from 'node:crypto';

/**
 * A fresh serial as DER INTEGER content in hex. Why 128 random bits: serials must be
 * unpredictable (CA/B Forum asks for at least 64 bits of CSPRNG output) so that nobody can
 * precompute a colliding certificate; the 00 prefix keeps the integer positive when the top bit is set.
 */
export function generateSerialHex(): string {
  const bytes = randomBytes(16);
  const hex = bytes.toString('hex');
  return (bytes[0] ?? 0) >= 0x80 ? `00${hex}` : hex;
}

/** Lowercase, without leading zero bytes, even length: the form stored and compared everywhere. */
export function toSerialKey(hex: string): string {
  const trimmed = hex.toLowerCase().replace(/^(00)+/, '');
  const even = trimmed.length % 2 === 1 ? `0${trimmed}` : trimmed;
  return even === '' ? '00' : even;
}

/** Whether a string could be a serial key as stored (for operator input). */
export function isSerialKey(value: string): boolean {
  return /^[0-9a-fA-F]{2,40}$/.test(value);
}

/** A serial key as DER INTEGER content: a 00 byte keeps a set top bit from reading as negative. */
export function toDerSerialHex(serialKey: string): string {
  return /^[89a-f]/.test(serialKey) ? `00${serialKey}` : serialKey;
}
