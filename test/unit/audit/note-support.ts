// Shared assertions for the note tests: refusals are NoteErrors with a given code and its fixed text.
import assert from 'node:assert/strict';
import {
  NOTE_ERROR_MESSAGES,
  NoteError,
  type NoteErrorCode,
} from '../../../src/audit/note/index.js';

/** Runs `run`, asserts it threw a NoteError with one of `codes` and that code's message. */
export function assertNoteError(run: () => unknown, ...codes: NoteErrorCode[]): NoteError {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof NoteError, `expected a NoteError, got ${String(caught)}`);
  assert.ok(codes.includes(caught.code), `expected ${codes.join(' or ')}, got ${caught.code}`);
  assert.equal(caught.message, NOTE_ERROR_MESSAGES[caught.code]);
  return caught;
}

/** Runs `run`; anything it throws must be a NoteError (the contract on hostile input). */
export function onlyNoteErrors(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof NoteError)) throw err;
  }
}

/** `text` with the character at `index` replaced. */
export const replaceAt = (text: string, index: number, char: string): string =>
  text.slice(0, index) + char + text.slice(index + 1);

/** Whether every code point may appear in a note: newline or U+0020 and up, and no lone surrogate. */
export function isNoteSafe(text: string): boolean {
  for (const char of text) {
    const point = char.codePointAt(0) ?? 0;
    if ((point < 0x20 && point !== 0x0a) || (point >= 0xd800 && point <= 0xdfff)) return false;
  }
  return true;
}

/** The line with its payload (key ID, timestamp, signature) replaced by `edit` and re-encoded. */
export function editPayload(line: string, edit: (payload: Uint8Array) => Uint8Array): string {
  const prefix = line.slice(0, line.lastIndexOf(' ') + 1);
  const payload = new Uint8Array(Buffer.from(line.slice(prefix.length, -1), 'base64'));
  return `${prefix}${Buffer.from(edit(payload)).toString('base64')}\n`;
}

/** An edit flipping the low bit of one payload byte (4–11: timestamp, 12–75: signature). */
export const flip =
  (index: number) =>
  (payload: Uint8Array): Uint8Array => {
    const copy = payload.slice();
    copy[index] = (copy[index] ?? 0) ^ 1;
    return copy;
  };
