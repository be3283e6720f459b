import assert from 'node:assert/strict';
import {
  generateCosignerKey,
  generateNoteKey,
  MAX_NOTE_BYTES,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from '../../../src/audit/note/index.js';
import { assertNoteError } from './note-support.js';
import {
  FOO_NOTE,
  FOO_VKEY,
  PETER_NOTE,
  PETER_SIG_LINE,
  PETER_SKEY,
  PETER_TEXT,
  PETER_VKEY,
  QUASIMODO_NOTE,
  QUASIMODO_TEXT,
} from './note-vectors.js';

const peter = parseVerifierKey(PETER_VKEY);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('signed notes', () => {
  describe('signNote', () => {
    it('reproduces the Go PeterNeumann note byte for byte', () => {
      assert.equal(signNote(PETER_TEXT, [parseSignerKey(PETER_SKEY)]), PETER_NOTE);
    });

    it('writes one line per signer, in order, after one blank line', () => {
      const other = parseSignerKey(generateNoteKey('EnochRoot').signerKey);
      const note = signNote(PETER_TEXT, [parseSignerKey(PETER_SKEY), other]);
      assert.ok(note.startsWith(`${PETER_TEXT}\n${PETER_SIG_LINE}— EnochRoot `));
      assert.deepEqual(openNote(note, [peter, other]).verifiedBy, ['PeterNeumann', 'EnochRoot']);
    });

    it('refuses texts that break the note rules', () => {
      const signer = parseSignerKey(PETER_SKEY);
      for (const text of ['', 'abc', 'a\r\n', 'tab\there\n', '\u0000\n', 'lone \ud800\n']) {
        assertNoteError(() => signNote(text, [signer]), 'ERR_NOTE_MALFORMED');
      }
      const huge = `${'x'.repeat(MAX_NOTE_BYTES)}\n`;
      assertNoteError(() => signNote(huge, [signer]), 'ERR_NOTE_MALFORMED');
    });

    it('refuses no signer, a cosigner key, and two signers under one name and key ID', () => {
      const signer = parseSignerKey(PETER_SKEY);
      const witness = parseSignerKey(generateCosignerKey('w').signerKey);
      assertNoteError(() => signNote(PETER_TEXT, []), 'ERR_NOTE_MALFORMED');
      assertNoteError(() => signNote(PETER_TEXT, [witness]), 'ERR_NOTE_KEY_WRONG_TYPE');
      assertNoteError(() => signNote(PETER_TEXT, [signer, signer]), 'ERR_NOTE_KEY_AMBIGUOUS');
    });
  });

  describe('openNote on published notes', () => {
    it('opens the Go PeterNeumann note', () => {
      assert.deepEqual(openNote(PETER_NOTE, [peter]), {
        text: PETER_TEXT,
        verifiedBy: ['PeterNeumann'],
        unverifiedCount: 0,
      });
    });

    it('opens the C2SP signed-note example with its vkey', () => {
      const opened = openNote(FOO_NOTE, [parseVerifierKey(FOO_VKEY)]);
      assert.equal(opened.text, 'This is an example message.\n');
      assert.deepEqual(opened.verifiedBy, ['example.com/foo']);
    });

    it('splits the C2SP example at its last blank line, keeping the blank line in the text', () => {
      // Its key is not published: the note is well-formed, so the refusal is unverified, not malformed.
      assertNoteError(() => openNote(QUASIMODO_NOTE, [peter]), 'ERR_NOTE_VERIFICATION_FAILED');
      const signer = parseSignerKey(generateNoteKey('quasimodo.example/salvatore').signerKey);
      const opened = openNote(signNote(QUASIMODO_TEXT, [signer]), [signer]);
      assert.equal(opened.text, QUASIMODO_TEXT);
    });

    it('opens the same note given as UTF-8 bytes', () => {
      assert.equal(openNote(utf8(PETER_NOTE), [peter]).text, PETER_TEXT);
    });
  });
});
