// Signer keys in the form of Go's x/mod/sumdb/note: `PRIVATE+KEY+<name>+<hex key ID>+<base64(type || seed)>`.
import { createPublicKey } from 'node:crypto';
import { privateKeyFromSeed, rawPublicKey } from './ed25519-key.js';
import { computeKeyHash, formatKeyHash, parseKeyHash } from './key-hash.js';
import { isValidKeyName } from './key-name.js';
import type { NoteSigner } from './note-key.js';
import { NoteError } from './note-error.js';
import {
  ED25519_KEY_BYTES,
  isSupportedSignatureType,
  type SignatureType,
} from './signature-type.js';
import { fromBase64, toBase64 } from './strict-base64.js';
import { formatVerifierKey, splitKeyFields } from './verifier-key.js';

/** Why the prefix: it keeps a secret key from ever being mistaken for, or pasted as, a vkey. */
const PRIVATE_PREFIX = 'PRIVATE+KEY+';

export function formatSignerKey(name: string, type: SignatureType, seed: Uint8Array): string {
  const privateKey = privateKeyFromSeed(seed);
  const publicKey = privateKey === undefined ? undefined : rawPublicKey(privateKey);
  if (publicKey === undefined) throw new NoteError('ERR_NOTE_KEY_MALFORMED');
  const keyHash = formatKeyHash(computeKeyHash(name, type, publicKey));
  return `${PRIVATE_PREFIX}${name}+${keyHash}+${toBase64(Uint8Array.of(type, ...seed))}`;
}

export function parseSignerKey(skey: string): NoteSigner {
  const fields =
    typeof skey === 'string' && skey.startsWith(PRIVATE_PREFIX)
      ? splitKeyFields(skey.slice(PRIVATE_PREFIX.length))
      : undefined;
  if (fields === undefined) throw new NoteError('ERR_NOTE_KEY_MALFORMED');
  const [name, hex, base64] = fields;
  const keyHash = parseKeyHash(hex);
  const material = fromBase64(base64);
  const type = material?.[0];
  if (
    !isValidKeyName(name) ||
    keyHash === undefined ||
    material === undefined ||
    type === undefined
  ) {
    throw new NoteError('ERR_NOTE_KEY_MALFORMED');
  }
  if (!isSupportedSignatureType(type)) throw new NoteError('ERR_NOTE_KEY_UNSUPPORTED');
  const seed = material.subarray(1);
  const privateKey = seed.length === ED25519_KEY_BYTES ? privateKeyFromSeed(seed) : undefined;
  const raw = privateKey === undefined ? undefined : rawPublicKey(privateKey);
  // Why: the key ID names the public key; an skey whose ID does not hash from the public key its
  // seed derives would sign lines that no holder of the matching vkey could ever verify.
  if (
    privateKey === undefined ||
    raw === undefined ||
    computeKeyHash(name, type, raw) !== keyHash
  ) {
    throw new NoteError('ERR_NOTE_KEY_MALFORMED');
  }
  const verifierKey = formatVerifierKey(name, type, raw);
  const publicKey = createPublicKey(privateKey);
  return Object.freeze({ name, keyHash, type, privateKey, publicKey, verifierKey });
}
