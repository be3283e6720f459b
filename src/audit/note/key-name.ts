// Key names (C2SP signed-note §Format): non-empty, no Unicode space, no plus, bounded in length.
import { MAX_KEY_NAME_BYTES } from './note-limits.js';
import { hasOnlyNoteCharacters, utf8Length } from './note-text.js';

/** Unicode White_Space is the set Go's unicode.IsSpace tests, which the reference implementation uses. */
const SPACE_OR_PLUS = /[\p{White_Space}+]/u;

/**
 * Why each rule: a space would end the name early in a signature line, a plus would shift the
 * fields of a vkey, and a control character or lone surrogate could never appear in a valid note.
 */
export const isValidKeyName = (name: string): boolean =>
  name.length > 0 &&
  !SPACE_OR_PLUS.test(name) &&
  hasOnlyNoteCharacters(name) &&
  utf8Length(name) <= MAX_KEY_NAME_BYTES;
