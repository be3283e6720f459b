import assert from 'node:assert/strict';
import {
  generateCosignerKey,
  generateNoteKey,
  parseSignerKey,
  parseVerifierKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
} from '../../../src/audit/note/index.js';
import { assertNoteError } from './note-support.js';

describe('note key generation', () => {
  it('generates an Ed25519 note key whose halves match', () => {
    const { signerKey, verifierKey } = generateNoteKey('audit.enlace.example/ledger');
    assert.match(signerKey, /^PRIVATE\+KEY\+audit\.enlace\.example\/ledger\+[0-9a-f]{8}\+A/);
    assert.match(verifierKey, /^audit\.enlace\.example\/ledger\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    const signer = parseSignerKey(signerKey);
    const verifier = parseVerifierKey(verifierKey);
    assert.equal(signer.verifierKey, verifierKey);
    assert.equal(signer.keyHash, verifier.keyHash);
    assert.equal(verifier.type, SIGNATURE_TYPE_ED25519);
  });

  it('generates a witness key whose vkey carries type 0x04', () => {
    const { signerKey, verifierKey } = generateCosignerKey('witness.example/w1');
    // base64 of a leading 0x04 byte starts with "B".
    assert.match(verifierKey, /^witness\.example\/w1\+[0-9a-f]{8}\+B[A-Za-z0-9+/]{43}$/);
    assert.equal(parseSignerKey(signerKey).type, SIGNATURE_TYPE_COSIGNATURE_V1);
    assert.equal(parseVerifierKey(verifierKey).type, SIGNATURE_TYPE_COSIGNATURE_V1);
  });

  it('generates a different key each time', () => {
    assert.notEqual(generateNoteKey('a').verifierKey, generateNoteKey('a').verifierKey);
  });

  it('refuses to generate a key under an invalid name', () => {
    for (const name of ['', 'a b', 'a+b']) {
      assertNoteError(() => generateNoteKey(name), 'ERR_NOTE_KEY_MALFORMED');
      assertNoteError(() => generateCosignerKey(name), 'ERR_NOTE_KEY_MALFORMED');
    }
  });
});
