// Verifies one witness's cosignature/v1 over a checkpoint and returns the time the witness vouches for.
import { parseCheckpoint } from './checkpoint.js';
import { isValidKeyName } from './key-name.js';
import type { NoteVerifier } from './note-key.js';
import { NoteError } from './note-error.js';
import { parseSignatureLine, type NoteSignature } from './signature-line.js';
import { SIGNATURE_TYPE_COSIGNATURE_V1 } from './signature-type.js';
import { splitNote } from './split-note.js';
import { verifyNoteSignature } from './verify-note-signature.js';

export interface VerifiedCosignature {
  /** Seconds since the Epoch at which the witness saw this checkpoint as the latest. */
  readonly timestamp: number;
}

/** A checkpoint body never holds a blank line (all its lines are non-empty); a signed note does. */
const checkpointBody = (checkpoint: string): string =>
  typeof checkpoint === 'string' && checkpoint.includes('\n\n')
    ? splitNote(checkpoint).text
    : checkpoint;

function readCosignature(cosignature: string | NoteSignature): NoteSignature {
  if (typeof cosignature === 'string') return parseSignatureLine(cosignature);
  const { name, keyHash, signature } = cosignature as Partial<NoteSignature>;
  if (
    typeof name !== 'string' ||
    !isValidKeyName(name) ||
    typeof keyHash !== 'number' ||
    !(signature instanceof Uint8Array)
  ) {
    throw new NoteError('ERR_NOTE_MALFORMED');
  }
  return { name, keyHash, signature };
}

/**
 * `checkpoint` is a checkpoint body or a whole checkpoint note (whose own signatures this does not
 * check: open it with the log's key first); `cosignature` is one signature line or its parsed form.
 * Every failure after parsing answers ERR_NOTE_VERIFICATION_FAILED, whichever check it was.
 */
export function verifyCosignature(
  checkpoint: string,
  cosignature: string | NoteSignature,
  witness: NoteVerifier,
): VerifiedCosignature {
  if (witness.type !== SIGNATURE_TYPE_COSIGNATURE_V1)
    throw new NoteError('ERR_NOTE_KEY_WRONG_TYPE');
  const body = checkpointBody(checkpoint);
  parseCheckpoint(body);
  const { name, keyHash, signature } = readCosignature(cosignature);
  // Why both: a line is this witness's only if its name and key ID both match (signed-note).
  const checked =
    name === witness.name && keyHash === witness.keyHash
      ? verifyNoteSignature(witness, body, signature)
      : undefined;
  if (checked?.timestamp === undefined) throw new NoteError('ERR_NOTE_VERIFICATION_FAILED');
  return Object.freeze({ timestamp: checked.timestamp });
}
