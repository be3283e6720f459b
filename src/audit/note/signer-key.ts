// Signer keys in the form of Go's x/mod/sumdb/note: `PRIVATE+KEY+<name>+<hex key ID>+<base64(type || seed)>`.
import { createPublicKey } from 'node:crypto';
import { privateKeyFromSeed, rawPublicKey } from './ed25519-key.js';
import { computeKeyHash, formatKeyHash } from './key-hash.js';
import type { NoteSigner } from './note-key.js';
import { NoteError } from './note-error.js';
import { ED25519_KEY_BYTES, type SignatureType } from './signature-type.js';
import { toBase64 } from './strict-base64.js';
import { formatVerifierKey, readKeyParts, splitKeyFields } from './verifier-key.js';

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
  const { name, keyHash, type, key: seed } = readKeyParts(fields);
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
