import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  cosign,
  generateCosignerKey,
  generateNoteKey,
  openNote,
  parseCheckpoint,
  parseSignatureLine,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifyCosignature,
} from '../../../src/audit/note/index.js';
import { isNoteSafe, onlyNoteErrors } from './note-support.js';
import { PETER_NOTE, PETER_SKEY, PETER_VKEY, SOFA_CHECKPOINT } from './note-vectors.js';

const peter = parseVerifierKey(PETER_VKEY);
const signers = ['log.example', 'EnochRoot', 'ñandú—😀'].map((name) =>
  parseSignerKey(generateNoteKey(name).signerKey),
);
const witness = parseSignerKey(generateCosignerKey('witness.example/w1').signerKey);
const known = [peter, ...signers, witness];

/** Characters that matter to the format: newline, em dash, space, plus, base64, odd Unicode. */
const charArb = fc.constantFrom(
  'a',
  'Z',
  '0',
  ' ',
  '\n',
  '\n\n',
  '—',
  '— ',
  '+',
  '/',
  '=',
  'é',
  '😀',
  '\u2028',
  '\u00a0',
  '\uFEFF',
  '\u007f',
  '\r',
  '\t',
  '\u0000',
  '\ud800',
  '\udc00',
);
/** Any UTF-16 code unit, so lone surrogates and every control character appear. */
const unitArb = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const hostileStringArb = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: unitArb }),
  fc.string({ unit: charArb, maxLength: 80 }),
);

interface Edit {
  readonly op: 'insert' | 'delete' | 'replace';
  readonly at: number;
  readonly char: string;
}

const editArb: fc.Arbitrary<Edit> = fc.record({
  op: fc.constantFrom('insert', 'delete', 'replace'),
  at: fc.nat(),
  char: charArb,
});

function applyEdits(text: string, edits: readonly Edit[]): string {
  return edits.reduce((acc, { op, at, char }) => {
    const i = at % (acc.length + 1);
    if (op === 'insert') return acc.slice(0, i) + char + acc.slice(i);
    if (op === 'delete') return acc.slice(0, i) + acc.slice(i + 1);
    return acc.slice(0, i) + char + acc.slice(i + 1);
  }, text);
}

describe('note formats on hostile input', () => {
  it('openNote throws only NoteErrors on arbitrary strings and bytes', () => {
    fc.assert(
      fc.property(hostileStringArb, (note) => {
        onlyNoteErrors(() => openNote(note, known));
        onlyNoteErrors(() => openNote(`${note}\n\n— PeterNeumann x08g\n`, known));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        onlyNoteErrors(() => openNote(bytes, known));
      }),
    );
  });

  it('never opens an edited note to a text other than the signed one', () => {
    const text = 'example.com/log\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    const note = `${signNote(text, signers)}${cosign(text, witness, 1)}`;
    fc.assert(
      fc.property(fc.array(editArb, { minLength: 1, maxLength: 3 }), (edits) => {
        const edited = applyEdits(note, edits);
        onlyNoteErrors(() => {
          const opened = openNote(edited, known);
          assert.equal(opened.text, text);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('never opens an edited Go note to another text', () => {
    fc.assert(
      fc.property(fc.array(editArb, { minLength: 1, maxLength: 2 }), (edits) => {
        onlyNoteErrors(() => {
          const opened = openNote(applyEdits(PETER_NOTE, edits), [peter]);
          assert.equal(opened.text, PETER_NOTE.slice(0, PETER_NOTE.indexOf('\n\n') + 1));
        });
      }),
    );
  });

  it('key, line and checkpoint parsers throw only NoteErrors', () => {
    const line = cosign(SOFA_CHECKPOINT, witness, 1);
    fc.assert(
      fc.property(hostileStringArb, fc.array(editArb, { maxLength: 3 }), (input, edits) => {
        onlyNoteErrors(() => parseVerifierKey(input));
        onlyNoteErrors(() => parseVerifierKey(applyEdits(PETER_VKEY, edits)));
        onlyNoteErrors(() => parseSignerKey(input));
        onlyNoteErrors(() => parseSignerKey(applyEdits(PETER_SKEY, edits)));
        onlyNoteErrors(() => parseCheckpoint(input));
        onlyNoteErrors(() => parseCheckpoint(applyEdits(SOFA_CHECKPOINT, edits)));
        onlyNoteErrors(() => parseSignatureLine(input));
        onlyNoteErrors(() => verifyCosignature(input, line, witness));
        onlyNoteErrors(() => verifyCosignature(SOFA_CHECKPOINT, applyEdits(line, edits), witness));
      }),
      { numRuns: 300 },
    );
  });

  it('opens every note it signs, to the same text, verified by every signer', () => {
    const textArb = fc
      .string({ unit: charArb, maxLength: 60 })
      .map((text) => `${text}\n`)
      .filter(isNoteSafe);
    fc.assert(
      fc.property(textArb, fc.subarray(signers, { minLength: 1 }), (text, chosen) => {
        const opened = openNote(signNote(text, chosen), signers);
        assert.equal(opened.text, text);
        assert.deepEqual(
          opened.verifiedBy,
          chosen.map((signer) => signer.name),
        );
        assert.equal(opened.unverifiedCount, 0);
      }),
    );
  });
});
