// The character rules of C2SP signed-note §Format: well-formed UTF-8, no control character but newline.
import { MAX_NOTE_BYTES } from './note-limits.js';

const utf8 = new TextEncoder();

export const encodeUtf8 = (text: string): Uint8Array => utf8.encode(text);
export const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * Whether `text` has no ASCII control character other than newline and no lone surrogate (which
 * has no UTF-8 encoding). Why: the spec forbids them in notes, and a lone surrogate would be signed
 * as U+FFFD, so two different strings would share one signature.
 */
export function hasOnlyNoteCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x20 && unit !== 0x0a) return false;
    if (unit >= 0xdc00 && unit <= 0xdfff) return false;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const low = text.charCodeAt(i + 1);
      if (!(low >= 0xdc00 && low <= 0xdfff)) return false;
      i++;
    }
  }
  return true;
}

/** A note text: ends in newline, obeys the character rules, fits the size bound. */
export const isValidNoteText = (text: string): boolean =>
  text.endsWith('\n') && hasOnlyNoteCharacters(text) && utf8Length(text) <= MAX_NOTE_BYTES;

/** One line of a note text, without its newline: non-empty, no newline, the character rules. */
export const isValidNoteLine = (line: string): boolean =>
  line.length > 0 && !line.includes('\n') && hasOnlyNoteCharacters(line);
