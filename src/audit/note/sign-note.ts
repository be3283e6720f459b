// Signs a note text with Ed25519 note keys (C2SP signed-note §Ed25519 signatures) into a whole note.
import { sign } from 'node:crypto';
import { formatKeyHash } from './key-hash.js';
import type { NoteSigner } from './note-key.js';
import { MAX_NOTE_BYTES, MAX_NOTE_SIGNATURES } from './note-limits.js';
import { NoteError } from './note-error.js';
import { encodeUtf8, isValidNoteText, utf8Length } from './note-text.js';
import { formatSignatureLine } from './signature-line.js';
import { SIGNATURE_TYPE_ED25519 } from './signature-type.js';

/**
 * `text` ends in newline and may hold blank lines; the note is the text, one blank line, then one
 * signature line per signer, in order. Only type 0x01 keys sign here: a cosigner (type 0x04) signs
 * a timestamped message instead, with `cosign`.
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (typeof text !== 'string' || !isValidNoteText(text)) throw new NoteError('ERR_NOTE_MALFORMED');
  if (signers.length === 0 || signers.length > MAX_NOTE_SIGNATURES) {
    throw new NoteError('ERR_NOTE_MALFORMED');
  }
  const seen = new Set<string>();
  for (const signer of signers) {
    if (signer.type !== SIGNATURE_TYPE_ED25519) throw new NoteError('ERR_NOTE_KEY_WRONG_TYPE');
    const id = `${signer.name}+${formatKeyHash(signer.keyHash)}`;
    // Why: two lines under one name and key ID make the note ambiguous for every verifier.
    if (seen.has(id)) throw new NoteError('ERR_NOTE_KEY_AMBIGUOUS');
    seen.add(id);
  }
  const bytes = encodeUtf8(text);
  const lines = signers.map((signer) =>
    formatSignatureLine(signer.name, signer.keyHash, sign(null, bytes, signer.privateKey)),
  );
  const note = `${text}\n${lines.join('')}`;
  // Why: never emit a note that our own openNote, bounded by the same limit, would refuse.
  if (utf8Length(note) > MAX_NOTE_BYTES) throw new NoteError('ERR_NOTE_MALFORMED');
  return note;
}
