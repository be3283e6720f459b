// Checks the bytes of one signature line against a known key, as that key's signature type defines.
import { verify } from 'node:crypto';
import type { NoteVerifier } from './note-key.js';
import { encodeUtf8 } from './note-text.js';
import { ED25519_SIGNATURE_BYTES, SIGNATURE_TYPE_ED25519 } from './signature-type.js';
import { cosignatureMessage, decodeTimestampedSignature } from './timestamped-signature.js';

/** What a verified signature vouches for; cosignatures add the witness's time. */
export interface CheckedSignature {
  readonly timestamp: number | undefined;
}

/** Why no throw: node:crypto errors on odd input must read as "does not verify", nothing else. */
function ed25519Verifies(
  verifier: NoteVerifier,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
  try {
    return verify(null, message, verifier.publicKey, signature);
  } catch {
    return false;
  }
}

/** `signature` is the line's bytes after the key ID; `text` is the note text it claims to sign. */
export function verifyNoteSignature(
  verifier: NoteVerifier,
  text: string,
  signature: Uint8Array,
): CheckedSignature | undefined {
  if (verifier.type === SIGNATURE_TYPE_ED25519) {
    const holds = ed25519Verifies(verifier, encodeUtf8(text), signature);
    return holds ? { timestamp: undefined } : undefined;
  }
  // Type 0x04 signs a different message: the cosignature/v1 header and time line, then the text.
  const timestamped = decodeTimestampedSignature(signature);
  if (timestamped === undefined) return undefined;
  const message = cosignatureMessage(timestamped.timestamp, text);
  const holds = ed25519Verifies(verifier, message, timestamped.signature);
  return holds ? { timestamp: timestamped.timestamp } : undefined;
}
