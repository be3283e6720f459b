import assert from 'node:assert/strict';
import {
  cosign,
  cosignatureMessage,
  formatVerifierKey,
  generateCosignerKey,
  generateNoteKey,
  openNote,
  parseSignatureLine,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from '../../../src/audit/note/index.js';
import { rawPublicKey } from '../../../src/audit/note/ed25519-key.js';
import { decodeTimestampedSignature } from '../../../src/audit/note/timestamped-signature.js';
import { assertNoteError, editPayload, flip } from './note-support.js';
import {
  SOFA_CHECKPOINT,
  SOFA_COSIGNED_AT,
  SOFA_COSIGNED_MESSAGE,
  SOFA_LOG_LINE,
  SOFA_WITNESS_LINE,
  TD_COSIGNATURE_BASE64,
  TD_COSIGNATURE_TIMESTAMP,
} from './note-vectors.js';

const witness = parseSignerKey(generateCosignerKey('witness.example/w1').signerKey);
const log = parseSignerKey(generateNoteKey('example.com/behind-the-sofa').signerKey);

describe('cosigned checkpoint notes', () => {
  describe('published examples', () => {
    it('builds the signed message of C2SP tlog-cosignature §Ed25519 signed message', () => {
      const message = cosignatureMessage(SOFA_COSIGNED_AT, SOFA_CHECKPOINT);
      assert.equal(Buffer.from(message).toString('utf8'), SOFA_COSIGNED_MESSAGE);
    });

    it('reads the spec example line as key ID, u64 timestamp and 64-byte signature', () => {
      const { name, keyHash, signature } = parseSignatureLine(SOFA_WITNESS_LINE);
      assert.equal(name, 'witness.example.com/w1');
      assert.equal(keyHash, 0x8d66cf3f);
      assert.equal(signature.length, 8 + 64);
      // The timestamp inside the published line is the one in the published message.
      assert.equal(decodeTimestampedSignature(signature)?.timestamp, SOFA_COSIGNED_AT);
    });

    it('reads the timestamp of the transparency-dev cosignature vector', () => {
      const line = parseSignatureLine(`— w ${TD_COSIGNATURE_BASE64}`);
      assert.equal(decodeTimestampedSignature(line.signature)?.timestamp, TD_COSIGNATURE_TIMESTAMP);
    });

    it('reads the spec example checkpoint note as well-formed but signed by unknown keys', () => {
      const note = `${SOFA_CHECKPOINT}\n${SOFA_LOG_LINE}${SOFA_WITNESS_LINE}`;
      assertNoteError(() => openNote(note, [witness]), 'ERR_NOTE_VERIFICATION_FAILED');
    });
  });

  describe('cosignatures inside a checkpoint note', () => {
    const note = `${signNote(SOFA_CHECKPOINT, [log])}${cosign(SOFA_CHECKPOINT, witness, 9)}`;

    it('verifies the log and the witness together when both keys are known', () => {
      assert.deepEqual(openNote(note, [log, witness]).verifiedBy, [log.name, witness.name]);
    });

    it('ignores the cosignature when only the log key is known', () => {
      const opened = openNote(note, [log]);
      assert.deepEqual([opened.verifiedBy, opened.unverifiedCount], [[log.name], 1]);
    });

    it('does not accept a cosignature under the same key read as a type 0x01 key', () => {
      const raw = rawPublicKey(witness.publicKey);
      assert.ok(raw);
      const asNoteKey = parseVerifierKey(formatVerifierKey(witness.name, 0x01, raw));
      assert.notEqual(asNoteKey.keyHash, witness.keyHash);
      assertNoteError(() => openNote(note, [asNoteKey]), 'ERR_NOTE_VERIFICATION_FAILED');
    });

    it('refuses the note when the witness key is known and its cosignature is tampered', () => {
      const bad = editPayload(cosign(SOFA_CHECKPOINT, witness, 9), flip(11));
      const tampered = `${signNote(SOFA_CHECKPOINT, [log])}${bad}`;
      assertNoteError(() => openNote(tampered, [log, witness]), 'ERR_NOTE_VERIFICATION_FAILED');
    });
  });
});
