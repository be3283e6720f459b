// Fresh Ed25519 note keys: a log's signing key (type 0x01) or a witness's cosigning key (type 0x04).
import { generateKeyPairSync } from 'node:crypto';
import { rawPublicKey, rawSeed } from './ed25519-key.js';
import { isValidKeyName } from './key-name.js';
import type { NoteKeyPair } from './note-key.js';
import { NoteError } from './note-error.js';
import {
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  type SignatureType,
} from './signature-type.js';
import { formatSignerKey } from './signer-key.js';
import { formatVerifierKey } from './verifier-key.js';

function generateKeyPair(name: string, type: SignatureType): NoteKeyPair {
  if (typeof name !== 'string' || !isValidKeyName(name)) {
    throw new NoteError('ERR_NOTE_KEY_MALFORMED');
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = rawSeed(privateKey);
  const publicKey = rawPublicKey(privateKey);
  if (seed === undefined || publicKey === undefined) throw new NoteError('ERR_NOTE_KEY_MALFORMED');
  return Object.freeze({
    signerKey: formatSignerKey(name, type, seed),
    verifierKey: formatVerifierKey(name, type, publicKey),
  });
}

/** A key that signs note texts directly (signed-note §Ed25519 signatures), e.g. the ledger's checkpoints. */
export const generateNoteKey = (name: string): NoteKeyPair =>
  generateKeyPair(name, SIGNATURE_TYPE_ED25519);

/**
 * A witness key for cosignature/v1 (tlog-cosignature §Format: vkeys with type 0x04). Why a separate
 * key: the spec says one public key SHOULD NOT serve two signature types.
 */
export const generateCosignerKey = (name: string): NoteKeyPair =>
  generateKeyPair(name, SIGNATURE_TYPE_COSIGNATURE_V1);
