// The key ID of C2SP signed-note §Signatures: SHA-256(key name || 0x0A || type || public key)[:4].
import { createHash } from 'node:crypto';
import type { SignatureType } from './signature-type.js';

const NEWLINE = Uint8Array.of(0x0a);
const HEX_KEY_HASH = /^[0-9a-f]{8}$/;

/** The key ID as an unsigned 32-bit integer, read big-endian from the digest. */
export function computeKeyHash(name: string, type: SignatureType, publicKey: Uint8Array): number {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(NEWLINE)
    .update(Uint8Array.of(type))
    .update(publicKey)
    .digest()
    .readUInt32BE(0);
}

/** Fixed-length lowercase hex, as vkeys spell it (signed-note §Conventions). */
export const formatKeyHash = (keyHash: number): string => keyHash.toString(16).padStart(8, '0');

/** The key ID spelled in a vkey or skey, or undefined if it is not eight lowercase hex digits. */
export const parseKeyHash = (hex: string): number | undefined =>
  HEX_KEY_HASH.test(hex) ? Number.parseInt(hex, 16) : undefined;

export function keyHashBytes(keyHash: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, keyHash);
  return bytes;
}
