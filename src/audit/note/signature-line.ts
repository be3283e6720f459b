// One signature line (C2SP signed-note §Format): `— <key name> <base64(key ID || signature)>` and newline.
import { keyHashBytes } from './key-hash.js';
import { isValidKeyName } from './key-name.js';
import { MAX_SIGNATURE_BYTES } from './note-limits.js';
import { NoteError } from './note-error.js';
import { hasOnlyNoteCharacters } from './note-text.js';
import { fromBase64, toBase64 } from './strict-base64.js';

/** U+2014 EM DASH then U+0020 SPACE. */
const LINE_PREFIX = '\u2014 ';
const KEY_ID_BYTES = 4;
const MAX_BASE64_CHARS = Math.ceil((KEY_ID_BYTES + MAX_SIGNATURE_BYTES) / 3) * 4;

/** A signature line as read: who claims to have signed, and the bytes after the key ID. */
export interface NoteSignature {
  readonly name: string;
  readonly keyHash: number;
  readonly signature: Uint8Array;
}

export function formatSignatureLine(name: string, keyHash: number, signature: Uint8Array): string {
  const payload = Uint8Array.of(...keyHashBytes(keyHash), ...signature);
  return `${LINE_PREFIX}${name} ${toBase64(payload)}\n`;
}

/** One line without its newline, or undefined if it is not a well-formed signature line. */
export function readSignatureLine(line: string): NoteSignature | undefined {
  if (!line.startsWith(LINE_PREFIX)) return undefined;
  const rest = line.slice(LINE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) return undefined;
  const name = rest.slice(0, space);
  const base64 = rest.slice(space + 1);
  if (!isValidKeyName(name) || base64.length > MAX_BASE64_CHARS) return undefined;
  const payload = fromBase64(base64);
  // Why at least one byte past the key ID: an empty signature names a key but proves nothing.
  if (payload === undefined || payload.length <= KEY_ID_BYTES) return undefined;
  const keyHash = new DataView(payload.buffer, payload.byteOffset).getUint32(0);
  return Object.freeze({ name, keyHash, signature: payload.subarray(KEY_ID_BYTES) });
}

/** Parses one signature line, with or without its final newline, e.g. a witness's cosignature. */
export function parseSignatureLine(line: string): NoteSignature {
  const body = typeof line === 'string' && line.endsWith('\n') ? line.slice(0, -1) : line;
  const parsed =
    typeof body === 'string' && hasOnlyNoteCharacters(body) && !body.includes('\n')
      ? readSignatureLine(body)
      : undefined;
  if (parsed === undefined) throw new NoteError('ERR_NOTE_MALFORMED');
  return parsed;
}
