// A witness's Ed25519 cosignature/v1 over a checkpoint (C2SP tlog-cosignature), as one signature line.
import { sign } from 'node:crypto';
import { parseCheckpoint } from './checkpoint.js';
import type { NoteSigner } from './note-key.js';
import { NoteError } from './note-error.js';
import { formatSignatureLine } from './signature-line.js';
import { SIGNATURE_TYPE_COSIGNATURE_V1 } from './signature-type.js';
import {
  cosignatureMessage,
  encodeTimestampedSignature,
  isValidCosignatureTimestamp,
} from './timestamped-signature.js';

/**
 * `checkpointText` is the checkpoint body alone, as openNote returns it once the log's own
 * signature holds: a witness must check that signature (and consistency) before vouching. The line
 * returned, `— <name> base64(key ID || u64 timestamp || signature)\n`, is appended to the note.
 */
export function cosign(
  checkpointText: string,
  witness: NoteSigner,
  timestampSeconds: number,
): string {
  // Why: a type 0x01 key signing this message would reuse one key for two signature types,
  // which tlog-cosignature forbids; the key ID would not match its vkey either.
  if (witness.type !== SIGNATURE_TYPE_COSIGNATURE_V1)
    throw new NoteError('ERR_NOTE_KEY_WRONG_TYPE');
  if (!isValidCosignatureTimestamp(timestampSeconds)) {
    throw new NoteError('ERR_COSIGNATURE_TIMESTAMP_INVALID');
  }
  // Why parse: a cosignature is a statement about a checkpoint; refuse to make it over anything else.
  parseCheckpoint(checkpointText);
  const message = cosignatureMessage(timestampSeconds, checkpointText);
  const signature = sign(null, message, witness.privateKey);
  const payload = encodeTimestampedSignature(timestampSeconds, signature);
  return formatSignatureLine(witness.name, witness.keyHash, payload);
}
