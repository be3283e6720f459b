// The Ed25519 cosignature/v1 message and its timestamped_signature (C2SP tlog-cosignature §Format).
import { encodeUtf8 } from './note-text.js';
import { ED25519_SIGNATURE_BYTES } from './signature-type.js';

const TIMESTAMP_BYTES = 8;

/** `timestamped_signature`: u64 big-endian timestamp || 64-byte Ed25519 signature. */
export const TIMESTAMPED_SIGNATURE_BYTES = TIMESTAMP_BYTES + ED25519_SIGNATURE_BYTES;

/**
 * Seconds since the Epoch that we sign or accept. Why at most 2^53 - 1 rather than the spec's
 * 2^63 - 1: larger values lose precision as numbers, and the spec lets verifiers refuse future
 * timestamps, which all of these are (by some 285 million years).
 */
export const isValidCosignatureTimestamp = (timestamp: number): boolean =>
  Number.isSafeInteger(timestamp) && timestamp >= 0;

/**
 * tlog-cosignature §Ed25519 signed message: `cosignature/v1\n`, `time <decimal>\n`, then the whole
 * checkpoint body (with its final newline, without signature lines). A safe integer prints in
 * plain decimal with no leading zero, as the spec requires.
 */
export const cosignatureMessage = (timestamp: number, body: string): Uint8Array =>
  encodeUtf8(`cosignature/v1\ntime ${timestamp}\n${body}`);

export function encodeTimestampedSignature(timestamp: number, signature: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(TIMESTAMP_BYTES + signature.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(timestamp));
  bytes.set(signature, TIMESTAMP_BYTES);
  return bytes;
}

/** The timestamp and signature, or undefined if the length or the timestamp is not acceptable. */
export function decodeTimestampedSignature(
  bytes: Uint8Array,
): { readonly timestamp: number; readonly signature: Uint8Array } | undefined {
  if (bytes.length !== TIMESTAMPED_SIGNATURE_BYTES) return undefined;
  const wide = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0);
  if (wide > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { timestamp: Number(wide), signature: bytes.subarray(TIMESTAMP_BYTES) };
}
