// Splits a signed note into its text and signature lines, refusing what C2SP signed-note §Format forbids.
import { MAX_NOTE_BYTES, MAX_NOTE_SIGNATURES } from './note-limits.js';
import { NoteError } from './note-error.js';
import { hasOnlyNoteCharacters, utf8Length } from './note-text.js';
import { readSignatureLine, type NoteSignature } from './signature-line.js';

/** A note read but not yet verified: nothing in `text` may be trusted yet. */
export interface SplitNote {
  readonly text: string;
  readonly signatures: readonly (NoteSignature & { readonly line: string })[];
}

/** Why ignoreBOM: a leading U+FEFF is part of the signed bytes and must not be silently dropped. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeNote(note: string | Uint8Array): string | undefined {
  if (typeof note === 'string') {
    return note.length <= MAX_NOTE_BYTES && utf8Length(note) <= MAX_NOTE_BYTES ? note : undefined;
  }
  if (!(note instanceof Uint8Array) || note.length > MAX_NOTE_BYTES) return undefined;
  try {
    return utf8.decode(note);
  } catch {
    return undefined;
  }
}

export function splitNote(note: string | Uint8Array): SplitNote {
  const decoded = decodeNote(note);
  if (decoded === undefined || !hasOnlyNoteCharacters(decoded)) {
    throw new NoteError('ERR_NOTE_MALFORMED');
  }
  // Why the last blank line: the text may hold blank lines, signature lines never do, so the last
  // one is the only split that leaves a text ending in newline and nothing but signatures after it.
  const split = decoded.lastIndexOf('\n\n');
  const block = split < 0 ? '' : decoded.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw new NoteError('ERR_NOTE_MALFORMED');
  const lines = block.slice(0, -1).split('\n');
  // Why before parsing a single line: a flood of lines must cost no more than counting them.
  if (lines.length > MAX_NOTE_SIGNATURES) throw new NoteError('ERR_NOTE_MALFORMED');
  const signatures = lines.map((line) => {
    const signature = readSignatureLine(line);
    if (signature === undefined) throw new NoteError('ERR_NOTE_MALFORMED');
    return Object.freeze({ ...signature, line });
  });
  return Object.freeze({
    text: decoded.slice(0, split + 1),
    signatures: Object.freeze(signatures),
  });
}
