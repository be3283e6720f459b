import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatCheckpoint,
  generateNoteKey,
  openNote,
  parseCheckpoint,
  parseSignerKey,
  signNote,
} from '../../../src/audit/note/index.js';
import { assertNoteError, isNoteSafe } from './note-support.js';
import { SOFA_CHECKPOINT, SOFA_LOG_LINE } from './note-vectors.js';

const ROOT = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';
const ORIGIN = 'example.com/behind-the-sofa';
const checkpointWith = (size: string, root = ROOT, origin = ORIGIN): string =>
  `${origin}\n${size}\n${root}\n`;

/** One line of a checkpoint: non-empty, no control character (so no newline), at most 255 bytes. */
const lineArb = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
  .filter((line) => isNoteSafe(line) && !line.includes('\n') && Buffer.byteLength(line) <= 255);

describe('tlog checkpoints', () => {
  describe('the C2SP tlog-checkpoint example', () => {
    it('parses into origin, size and root hash', () => {
      const checkpoint = parseCheckpoint(SOFA_CHECKPOINT);
      assert.equal(checkpoint.origin, ORIGIN);
      assert.equal(checkpoint.size, 20852163);
      assert.deepEqual(checkpoint.rootHash, new Uint8Array(Buffer.from(ROOT, 'base64')));
      assert.deepEqual(checkpoint.extensions, []);
    });

    it('formats back to the same bytes', () => {
      assert.equal(formatCheckpoint(parseCheckpoint(SOFA_CHECKPOINT)), SOFA_CHECKPOINT);
    });

    it('is the text of the published signed checkpoint', () => {
      // The log's key is not published, so the note reads as well-formed but unverified.
      const note = `${SOFA_CHECKPOINT}\n${SOFA_LOG_LINE}`;
      assertNoteError(() => openNote(note, []), 'ERR_NOTE_VERIFICATION_FAILED');
    });
  });

  describe('parseCheckpoint', () => {
    it('accepts the empty tree and keeps extension lines in order', () => {
      assert.equal(parseCheckpoint(checkpointWith('0')).size, 0);
      const extended = parseCheckpoint(`${SOFA_CHECKPOINT}ext one\n— ext two\n`);
      assert.deepEqual(extended.extensions, ['ext one', '— ext two']);
    });

    it('accepts the largest size it can represent exactly and refuses the next', () => {
      assert.equal(parseCheckpoint(checkpointWith('9007199254740991')).size, 2 ** 53 - 1);
      for (const size of ['9007199254740992', '18446744073709551615', '99999999999999999']) {
        assertNoteError(() => parseCheckpoint(checkpointWith(size)), 'ERR_CHECKPOINT_MALFORMED');
      }
    });

    it('refuses sizes that are not canonical decimal', () => {
      for (const size of [
        '020852163',
        '00',
        '+5',
        '-0',
        '-1',
        ' 5',
        '5 ',
        '0x10',
        '1e3',
        '1.0',
        '',
        '５',
      ]) {
        assertNoteError(() => parseCheckpoint(checkpointWith(size)), 'ERR_CHECKPOINT_MALFORMED');
      }
    });

    it('refuses root hashes that are not padded standard base64 of 32 bytes', () => {
      for (const root of [
        ROOT.slice(0, -1),
        ROOT.replace('/', '_'),
        ROOT.replace('2I=', '2J='),
        Buffer.alloc(31).toString('base64'),
        Buffer.alloc(33).toString('base64'),
        ` ${ROOT}`,
        '',
      ]) {
        assertNoteError(
          () => parseCheckpoint(checkpointWith('1', root)),
          'ERR_CHECKPOINT_MALFORMED',
        );
      }
    });

    it('refuses an empty origin, missing lines, empty extensions and stray bytes', () => {
      for (const text of [
        checkpointWith('1', ROOT, ''),
        `${ORIGIN}\n1\n`,
        `${ORIGIN}\n`,
        SOFA_CHECKPOINT.slice(0, -1),
        `${SOFA_CHECKPOINT}\n`,
        `${SOFA_CHECKPOINT}\nafter a blank\n`,
        SOFA_CHECKPOINT.replaceAll('\n', '\r\n'),
        `\u0000${SOFA_CHECKPOINT}`,
        checkpointWith('1', ROOT, 'x'.repeat(256)),
      ]) {
        assertNoteError(() => parseCheckpoint(text), 'ERR_CHECKPOINT_MALFORMED');
      }
    });
  });

  describe('formatCheckpoint', () => {
    const rootHash = new Uint8Array(Buffer.from(ROOT, 'base64'));

    it('writes origin, size, root hash and extensions, each ending in newline', () => {
      const text = formatCheckpoint({ origin: 'log', size: 7, rootHash, extensions: ['e'] });
      assert.equal(text, `log\n7\n${ROOT}\ne\n`);
    });

    it('refuses what parseCheckpoint would refuse', () => {
      const bad = [
        { origin: '', size: 1, rootHash },
        { origin: 'a\nb', size: 1, rootHash },
        { origin: 'log', size: -1, rootHash },
        { origin: 'log', size: 1.5, rootHash },
        { origin: 'log', size: Number.NaN, rootHash },
        { origin: 'log', size: 2 ** 53, rootHash },
        { origin: 'log', size: 1, rootHash: rootHash.subarray(1) },
        { origin: 'log', size: 1, rootHash, extensions: [''] },
        { origin: 'log', size: 1, rootHash, extensions: ['a\nb'] },
        { origin: 'log', size: 1, rootHash, extensions: ['tab\t'] },
      ];
      for (const input of bad) {
        assertNoteError(() => formatCheckpoint(input), 'ERR_CHECKPOINT_MALFORMED');
      }
    });

    it('round-trips any checkpoint through its text', () => {
      fc.assert(
        fc.property(
          lineArb,
          fc.maxSafeNat(),
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.array(lineArb, { maxLength: 4 }),
          (origin, size, rootHash, extensions) => {
            const text = formatCheckpoint({ origin, size, rootHash, extensions });
            assert.deepEqual(parseCheckpoint(text), { origin, size, rootHash, extensions });
            assert.equal(formatCheckpoint(parseCheckpoint(text)), text);
          },
        ),
      );
    });
  });

  it('signs as a note under the log key named after its origin, and opens back', () => {
    const log = parseSignerKey(generateNoteKey('audit.enlace.example/ledger').signerKey);
    const text = formatCheckpoint({
      origin: log.name,
      size: 3,
      rootHash: new Uint8Array(32).fill(7),
    });
    const opened = openNote(signNote(text, [log]), [log]);
    assert.equal(parseCheckpoint(opened.text).size, 3);
  });
});
