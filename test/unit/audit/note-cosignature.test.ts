import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import fc from 'fast-check';
import {
  cosign,
  formatCheckpoint,
  generateCosignerKey,
  generateNoteKey,
  parseSignatureLine,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifyCosignature,
  type NoteSigner,
} from '../../../src/audit/note/index.js';
import { assertNoteError, editPayload, flip } from './note-support.js';
import { SOFA_CHECKPOINT, SOFA_COSIGNED_AT, SOFA_COSIGNED_MESSAGE } from './note-vectors.js';

const witnessKeys = generateCosignerKey('witness.example/w1');
const witness = parseSignerKey(witnessKeys.signerKey);
const witnessVerifier = parseVerifierKey(witnessKeys.verifierKey);
const log = parseSignerKey(generateNoteKey('example.com/behind-the-sofa').signerKey);

/** A cosignature line signed by hand over `message`, with `timestamp` in its payload. */
function handSigned(signer: NoteSigner, timestamp: bigint, message: string): string {
  const payload = Buffer.alloc(4 + 8);
  payload.writeUInt32BE(signer.keyHash, 0);
  payload.writeBigUInt64BE(timestamp, 4);
  const signature = sign(null, Buffer.from(message), signer.privateKey);
  return `— ${signer.name} ${Buffer.concat([payload, signature]).toString('base64')}\n`;
}

describe('tlog cosignatures', () => {
  describe('cosign', () => {
    it('writes `— <name> base64(key ID || u64 big-endian time || signature)`', () => {
      const line = cosign(SOFA_CHECKPOINT, witness, SOFA_COSIGNED_AT);
      assert.match(line, /^— witness\.example\/w1 [A-Za-z0-9+/]{102}==\n$/);
      const payload = Buffer.from(line.slice(line.lastIndexOf(' ') + 1, -1), 'base64');
      assert.equal(payload.readUInt32BE(0), witness.keyHash);
      assert.equal(payload.readBigUInt64BE(4), BigInt(SOFA_COSIGNED_AT));
      assert.equal(payload.length, 4 + 8 + 64);
    });

    it('signs exactly the cosignature/v1 message, verifiable with node:crypto alone', async () => {
      const { verify } = await import('node:crypto');
      const line = cosign(SOFA_CHECKPOINT, witness, SOFA_COSIGNED_AT);
      const payload = Buffer.from(line.slice(line.lastIndexOf(' ') + 1, -1), 'base64');
      const message = Buffer.from(SOFA_COSIGNED_MESSAGE);
      assert.equal(verify(null, message, witness.publicKey, payload.subarray(12)), true);
    });

    it('refuses a note key of type 0x01, bad timestamps and anything but a checkpoint', () => {
      assertNoteError(() => cosign(SOFA_CHECKPOINT, log, 1), 'ERR_NOTE_KEY_WRONG_TYPE');
      for (const time of [-1, 1.5, Number.NaN, Infinity, 2 ** 53]) {
        assertNoteError(
          () => cosign(SOFA_CHECKPOINT, witness, time),
          'ERR_COSIGNATURE_TIMESTAMP_INVALID',
        );
      }
      const note = signNote(SOFA_CHECKPOINT, [log]);
      for (const text of ['hello\n', note, SOFA_CHECKPOINT.replace('20852163', '020852163')]) {
        assertNoteError(() => cosign(text, witness, 1), 'ERR_CHECKPOINT_MALFORMED');
      }
    });
  });

  describe('verifyCosignature', () => {
    const line = cosign(SOFA_CHECKPOINT, witness, SOFA_COSIGNED_AT);

    it('returns the timestamp, from the body or the whole note, from a line or its parsed form', () => {
      const note = `${signNote(SOFA_CHECKPOINT, [log])}${line}`;
      const expected = { timestamp: SOFA_COSIGNED_AT };
      assert.deepEqual(verifyCosignature(SOFA_CHECKPOINT, line, witnessVerifier), expected);
      assert.deepEqual(verifyCosignature(note, line.slice(0, -1), witnessVerifier), expected);
      assert.deepEqual(
        verifyCosignature(note, parseSignatureLine(line), witnessVerifier),
        expected,
      );
    });

    it('round-trips any checkpoint and timestamp', () => {
      fc.assert(
        fc.property(
          fc.maxSafeNat(),
          fc.maxSafeNat(),
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          (timestamp, size, rootHash) => {
            const text = formatCheckpoint({ origin: 'log.example', size, rootHash });
            const cosignature = cosign(text, witness, timestamp);
            assert.deepEqual(verifyCosignature(text, cosignature, witnessVerifier), { timestamp });
          },
        ),
        { numRuns: 50 },
      );
    });

    it('detects one changed byte of the checkpoint, the timestamp or the signature', () => {
      const tampered = [
        () =>
          verifyCosignature(SOFA_CHECKPOINT.replace('20852163', '20852164'), line, witnessVerifier),
        () => verifyCosignature(SOFA_CHECKPOINT, editPayload(line, flip(11)), witnessVerifier),
        () => verifyCosignature(SOFA_CHECKPOINT, editPayload(line, flip(40)), witnessVerifier),
      ];
      for (const run of tampered) assertNoteError(run, 'ERR_NOTE_VERIFICATION_FAILED');
    });

    it('covers extension lines', () => {
      const extended = `${SOFA_CHECKPOINT}extension\n`;
      const signed = cosign(extended, witness, 5);
      const other = `${SOFA_CHECKPOINT}extensioN\n`;
      assertNoteError(
        () => verifyCosignature(other, signed, witnessVerifier),
        'ERR_NOTE_VERIFICATION_FAILED',
      );
    });

    it('refuses a line by another witness, under the same name or not', () => {
      const sameName = parseSignerKey(generateCosignerKey(witness.name).signerKey);
      const otherName = parseSignerKey(generateCosignerKey('witness.example/w2').signerKey);
      for (const other of [sameName, otherName]) {
        const foreign = cosign(SOFA_CHECKPOINT, other, 1);
        assertNoteError(
          () => verifyCosignature(SOFA_CHECKPOINT, foreign, witnessVerifier),
          'ERR_NOTE_VERIFICATION_FAILED',
        );
      }
    });

    it('refuses a line whose payload has the wrong length, as a failed verification', () => {
      const short = editPayload(line, (payload) => payload.subarray(0, -1));
      assertNoteError(
        () => verifyCosignature(SOFA_CHECKPOINT, short, witnessVerifier),
        'ERR_NOTE_VERIFICATION_FAILED',
      );
    });

    it('refuses a validly signed timestamp above 2^53 - 1, as the spec allows for future times', () => {
      const far = 2n ** 63n - 1n;
      const forged = handSigned(witness, far, `cosignature/v1\ntime ${far}\n${SOFA_CHECKPOINT}`);
      assertNoteError(
        () => verifyCosignature(SOFA_CHECKPOINT, forged, witnessVerifier),
        'ERR_NOTE_VERIFICATION_FAILED',
      );
      const near = handSigned(witness, 7n, `cosignature/v1\ntime 7\n${SOFA_CHECKPOINT}`);
      assert.deepEqual(verifyCosignature(SOFA_CHECKPOINT, near, witnessVerifier), { timestamp: 7 });
    });

    it('refuses a type 0x01 verifier, a malformed line and a malformed checkpoint', () => {
      assertNoteError(
        () => verifyCosignature(SOFA_CHECKPOINT, line, log),
        'ERR_NOTE_KEY_WRONG_TYPE',
      );
      assertNoteError(
        () => verifyCosignature(SOFA_CHECKPOINT, `${line}\n`, witnessVerifier),
        'ERR_NOTE_MALFORMED',
      );
      assertNoteError(
        () => verifyCosignature('nope\n', line, witnessVerifier),
        'ERR_CHECKPOINT_MALFORMED',
      );
    });
  });
});
