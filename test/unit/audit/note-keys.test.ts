import assert from 'node:assert/strict';
import {
  computeKeyHash,
  formatVerifierKey,
  NoteError,
  parseSignerKey,
  parseVerifierKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  type SignatureType,
} from '../../../src/audit/note/index.js';
import { assertNoteError } from './note-support.js';
import {
  ENOCH_VKEY,
  FOO_VKEY,
  PETER_KEY_HASH,
  PETER_SKEY,
  PETER_VKEY,
  REMORA_COSIGNER_VKEY,
  TEST_ED25519_VKEY,
  UNKNOWN_TYPE_VKEY,
  WRONG_LENGTH_VKEY,
} from './note-vectors.js';

/** The key ID a vkey spells, recomputed from its own name and key material. */
function recomputedKeyId(vkey: string): { spelled: string; computed: string } {
  const [name = '', spelled = ''] = vkey.split('+');
  const material = Buffer.from(vkey.slice(name.length + spelled.length + 2), 'base64');
  const type = material[0] as SignatureType;
  const hash = computeKeyHash(name, type, material.subarray(1));
  return { spelled, computed: hash.toString(16).padStart(8, '0') };
}

/** Go's manglings (note_test.go): every proper substring, and every one-byte increment. */
function* manglings(key: string): Generator<string> {
  for (let i = 0; i <= key.length; i++) {
    for (let j = i + 1; j <= key.length; j++) {
      if (i !== 0 || j !== key.length) yield key.slice(i, j);
    }
  }
  for (let i = 0; i < key.length; i++) {
    yield key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1);
  }
}

describe('note keys', () => {
  describe('key IDs', () => {
    it('recomputes the published key IDs from name, type byte and public key', () => {
      for (const vkey of [
        PETER_VKEY,
        ENOCH_VKEY,
        FOO_VKEY,
        TEST_ED25519_VKEY,
        REMORA_COSIGNER_VKEY,
      ]) {
        const { spelled, computed } = recomputedKeyId(vkey);
        assert.equal(computed, spelled, vkey);
      }
    });

    it('gives the same key a different ID under each signature type', () => {
      const material = Buffer.from(TEST_ED25519_VKEY.split('+').slice(2).join('+'), 'base64');
      const raw = material.subarray(1);
      const asNote = computeKeyHash('TEST', SIGNATURE_TYPE_ED25519, raw);
      const asCosigner = computeKeyHash('TEST', SIGNATURE_TYPE_COSIGNATURE_V1, raw);
      assert.equal(asNote, 0x7997405c);
      assert.notEqual(asCosigner, asNote);
    });
  });

  describe('parseVerifierKey', () => {
    it('parses the Go PeterNeumann vkey', () => {
      const verifier = parseVerifierKey(PETER_VKEY);
      assert.equal(verifier.name, 'PeterNeumann');
      assert.equal(verifier.keyHash, PETER_KEY_HASH);
      assert.equal(verifier.type, SIGNATURE_TYPE_ED25519);
      assert.equal(verifier.publicKey.asymmetricKeyType, 'ed25519');
      assert.ok(Object.isFrozen(verifier));
    });

    it('parses a witness vkey of type 0x04 published by transparency-dev', () => {
      const verifier = parseVerifierKey(REMORA_COSIGNER_VKEY);
      assert.equal(verifier.name, 'remora.n621.de');
      assert.equal(verifier.keyHash, 0xda77ade7);
      assert.equal(verifier.type, SIGNATURE_TYPE_COSIGNATURE_V1);
    });

    it('formats a vkey that reads back to the same key', () => {
      const raw = Buffer.from(PETER_VKEY.slice(-44), 'base64').subarray(1);
      assert.equal(formatVerifierKey('PeterNeumann', SIGNATURE_TYPE_ED25519, raw), PETER_VKEY);
      for (const [name, key] of [
        ['a b', raw],
        ['PeterNeumann', raw.subarray(1)],
      ] as const) {
        assertNoteError(
          () => formatVerifierKey(name, SIGNATURE_TYPE_ED25519, key),
          'ERR_NOTE_KEY_MALFORMED',
        );
      }
    });

    it('refuses every substring and every one-byte change of the Go vkey', () => {
      for (const mangled of manglings(PETER_VKEY)) {
        assertNoteError(
          () => parseVerifierKey(mangled),
          'ERR_NOTE_KEY_MALFORMED',
          'ERR_NOTE_KEY_UNSUPPORTED',
        );
      }
    });

    it('refuses a key of the wrong length even when its key hash was adjusted', () => {
      assertNoteError(() => parseVerifierKey(WRONG_LENGTH_VKEY), 'ERR_NOTE_KEY_MALFORMED');
    });

    it('refuses an unknown signature type even when its key hash was adjusted', () => {
      assertNoteError(() => parseVerifierKey(UNKNOWN_TYPE_VKEY), 'ERR_NOTE_KEY_UNSUPPORTED');
    });

    it('refuses uppercase key IDs, base64url and stray characters', () => {
      for (const vkey of [
        PETER_VKEY.replace('c74f20a3', 'C74F20A3'),
        PETER_VKEY.replace('/', '_'),
        `${PETER_VKEY}\n`,
        ` ${PETER_VKEY}`,
        PETER_VKEY.replace('+ARpc', '+ ARpc'),
      ]) {
        assertNoteError(() => parseVerifierKey(vkey), 'ERR_NOTE_KEY_MALFORMED');
      }
    });
  });

  describe('parseSignerKey', () => {
    it('parses the Go PeterNeumann skey and derives its published vkey', () => {
      const signer = parseSignerKey(PETER_SKEY);
      assert.equal(signer.name, 'PeterNeumann');
      assert.equal(signer.keyHash, PETER_KEY_HASH);
      assert.equal(signer.type, SIGNATURE_TYPE_ED25519);
      assert.equal(signer.verifierKey, PETER_VKEY);
      assert.equal(signer.privateKey.type, 'private');
      assert.equal(signer.publicKey.type, 'public');
    });

    it('refuses every substring and every one-byte change of the Go skey', () => {
      for (const mangled of manglings(PETER_SKEY)) {
        assertNoteError(
          () => parseSignerKey(mangled),
          'ERR_NOTE_KEY_MALFORMED',
          'ERR_NOTE_KEY_UNSUPPORTED',
        );
      }
    });

    it('refuses a vkey offered as an skey, and never echoes the secret in its message', () => {
      assertNoteError(() => parseSignerKey(PETER_VKEY), 'ERR_NOTE_KEY_MALFORMED');
      const error = assertNoteError(
        () => parseSignerKey(PETER_SKEY.replace('c74f20a3', '00000000')),
        'ERR_NOTE_KEY_MALFORMED',
      );
      assert.equal(error.message.includes('AYEKFALV'), false);
      assert.equal(String(error.stack).includes('AYEKFALV'), false);
    });
  });

  it('names its errors and keeps their code stable', () => {
    const error = assertNoteError(() => parseVerifierKey('nonsense'), 'ERR_NOTE_KEY_MALFORMED');
    assert.ok(error instanceof Error);
    assert.ok(error instanceof NoteError);
    assert.equal(error.name, 'NoteError');
    assert.equal(error.message, 'malformed note key');
  });
});
