import assert from 'node:assert/strict';
import {
  generateNoteKey,
  MAX_NOTE_BYTES,
  MAX_NOTE_SIGNATURES,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from '../../../src/audit/note/index.js';
import { assertNoteError, replaceAt } from './note-support.js';
import {
  ENOCH_SIG_LINE,
  ENOCH_VKEY,
  PETER_NOTE,
  PETER_SIG_LINE,
  PETER_SKEY,
  PETER_TEXT,
  PETER_VKEY,
} from './note-vectors.js';

const peter = parseVerifierKey(PETER_VKEY);
const enoch = parseVerifierKey(ENOCH_VKEY);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
/** Go's TestOpen corruption: four characters spliced into the base64 at offset 60. */
const corrupt = (line: string): string => `${line.slice(0, 60)}ABCD${line.slice(60)}`;

describe('openNote refusals and Go TestOpen cases', () => {
  describe('openNote as in Go TestOpen', () => {
    const both = `${PETER_TEXT}\n${PETER_SIG_LINE}${ENOCH_SIG_LINE}`;

    it('verifies the known key and ignores the unknown one', () => {
      assert.deepEqual(openNote(both, [peter]), {
        text: PETER_TEXT,
        verifiedBy: ['PeterNeumann'],
        unverifiedCount: 1,
      });
    });

    it('verifies both when both keys are known', () => {
      assert.deepEqual(openNote(both, [peter, enoch]).verifiedBy, ['PeterNeumann', 'EnochRoot']);
    });

    it('refuses a note that no known key signed', () => {
      assertNoteError(() => openNote(both, []), 'ERR_NOTE_VERIFICATION_FAILED');
    });

    it('refuses two verifiers under one name and key ID', () => {
      assertNoteError(() => openNote(both, [enoch, peter, enoch]), 'ERR_NOTE_KEY_AMBIGUOUS');
    });

    it('accepts 100 signature lines and refuses 101, with or without known keys', () => {
      const lines = (count: number): string => `${PETER_TEXT}\n${PETER_SIG_LINE.repeat(count)}`;
      assert.deepEqual(openNote(lines(MAX_NOTE_SIGNATURES), [peter]).verifiedBy, ['PeterNeumann']);
      assertNoteError(
        () => openNote(lines(MAX_NOTE_SIGNATURES + 1), [peter]),
        'ERR_NOTE_MALFORMED',
      );
      assertNoteError(() => openNote(lines(MAX_NOTE_SIGNATURES + 1), []), 'ERR_NOTE_MALFORMED');
    });

    it('refuses a corrupted signature from a known key', () => {
      const note = `${PETER_TEXT}\n${corrupt(PETER_SIG_LINE)}`;
      assertNoteError(() => openNote(note, [peter]), 'ERR_NOTE_VERIFICATION_FAILED');
    });

    it('counts repeated unknown lines once and repeated known lines once', () => {
      const note = `${PETER_TEXT}\n${PETER_SIG_LINE}${PETER_SIG_LINE}${ENOCH_SIG_LINE}${ENOCH_SIG_LINE}${corrupt(ENOCH_SIG_LINE)}`;
      assert.deepEqual(openNote(note, [peter]), {
        text: PETER_TEXT,
        verifiedBy: ['PeterNeumann'],
        unverifiedCount: 2,
      });
    });

    it('refuses the malformed messages of Go TestOpen', () => {
      const badMessages: (string | Uint8Array)[] = [
        PETER_TEXT,
        `${PETER_TEXT}\n`,
        `${PETER_TEXT}\n${PETER_SIG_LINE.slice(0, -1)}`,
        `\u0001${PETER_NOTE}`,
        Uint8Array.of(0xff, ...utf8(PETER_NOTE)),
        `${PETER_TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
        `${PETER_NOTE}Unexpected line.\n`,
      ];
      for (const message of badMessages) {
        assertNoteError(() => openNote(message, [peter]), 'ERR_NOTE_MALFORMED');
      }
    });
  });

  describe('openNote refusals', () => {
    it('detects one changed byte of the text', () => {
      const note = PETER_NOTE.replace('cryptography', 'cryptographY');
      assertNoteError(() => openNote(note, [peter]), 'ERR_NOTE_VERIFICATION_FAILED');
    });

    it('detects one changed character of the signature', () => {
      const at = PETER_TEXT.length + 1 + '— PeterNeumann '.length + 10;
      const note = replaceAt(PETER_NOTE, at, PETER_NOTE[at] === 'A' ? 'B' : 'A');
      assertNoteError(() => openNote(note, [peter]), 'ERR_NOTE_VERIFICATION_FAILED');
    });

    it('refuses the whole note when one known key fails even though another holds', () => {
      const note = `${PETER_TEXT}\n${PETER_SIG_LINE}${corrupt(ENOCH_SIG_LINE)}`;
      assertNoteError(() => openNote(note, [peter, enoch]), 'ERR_NOTE_VERIFICATION_FAILED');
    });

    it('ignores a key of the same name but another ID, and of the same ID but another name', () => {
      const impostor = parseSignerKey(generateNoteKey('PeterNeumann').signerKey);
      assertNoteError(() => openNote(PETER_NOTE, [impostor]), 'ERR_NOTE_VERIFICATION_FAILED');
      const twice = signNote(PETER_TEXT, [parseSignerKey(PETER_SKEY), impostor]);
      assert.deepEqual(openNote(twice, [impostor]), {
        text: PETER_TEXT,
        verifiedBy: ['PeterNeumann'],
        unverifiedCount: 1,
      });
      const renamed = PETER_SIG_LINE.replace('PeterNeumann', 'CarmenSandiego');
      assert.equal(openNote(`${PETER_NOTE}${renamed}`, [peter]).unverifiedCount, 1);
    });

    it('refuses non-canonical base64, a second space and CRLF in signature lines', () => {
      const b64 = PETER_SIG_LINE.slice('— PeterNeumann '.length, -1);
      for (const line of [
        `— PeterNeumann ${b64.replace(/=$/, '')}\n`,
        `— PeterNeumann ${b64.replaceAll('/', '_')}\n`,
        `— PeterNeumann  ${b64}\n`,
        `— PeterNeumann ${b64} \n`,
        `- PeterNeumann ${b64}\n`,
        `—PeterNeumann ${b64}\n`,
        `— PeterNeumann ${b64}\r\n`,
        '— PeterNeumann AAAA\n',
      ]) {
        assertNoteError(() => openNote(`${PETER_TEXT}\n${line}`, [peter]), 'ERR_NOTE_MALFORMED');
      }
    });

    it('refuses notes over the size bound before reading them', () => {
      const huge = `${'x'.repeat(MAX_NOTE_BYTES)}\n\n${PETER_SIG_LINE}`;
      assertNoteError(() => openNote(huge, [peter]), 'ERR_NOTE_MALFORMED');
      assertNoteError(() => openNote(utf8(huge), [peter]), 'ERR_NOTE_MALFORMED');
    });

    it('keeps a leading byte order mark as part of the signed text', () => {
      const signer = parseSignerKey(PETER_SKEY);
      const note = signNote(`\uFEFF${PETER_TEXT}`, [signer]);
      assert.equal(openNote(utf8(note), [peter]).text, `\uFEFF${PETER_TEXT}`);
      assertNoteError(
        () => openNote(`\uFEFF${PETER_NOTE}`, [peter]),
        'ERR_NOTE_VERIFICATION_FAILED',
      );
    });
  });
});
