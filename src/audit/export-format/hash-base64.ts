// Hashes in export lines: standard padded base64 of exactly 32 octets, in its one canonical spelling.
import { HASH_SIZE, MAX_PROOF_LENGTH } from '../merkle/index.js';

const HASH_BASE64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export const toHashBase64 = (hash: Uint8Array): string =>
  Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('base64');

/**
 * The 32 octets `value` spells, or undefined. Why strict: Buffer's decoder skips stray characters
 * and ignores padding bits, so one hash would have many spellings in a file meant to be exact.
 */
export function fromHashBase64(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string' || !HASH_BASE64.test(value)) return undefined;
  const bytes = new Uint8Array(Buffer.from(value, 'base64'));
  return bytes.length === HASH_SIZE ? bytes : undefined;
}

/** A proof as JSON holds it, or undefined unless it is at most MAX_PROOF_LENGTH such hashes. */
export function fromProofBase64(value: unknown): Uint8Array[] | undefined {
  // Why the length first: a hostile array of a million strings costs nothing to refuse.
  if (!Array.isArray(value) || value.length > MAX_PROOF_LENGTH) return undefined;
  const proof: Uint8Array[] = [];
  for (const element of value as readonly unknown[]) {
    const hash = fromHashBase64(element);
    if (hash === undefined) return undefined;
    proof.push(hash);
  }
  return proof;
}
