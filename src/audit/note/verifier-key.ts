// Verifier keys (C2SP signed-note §Verifier keys): `<name>+<hex key ID>+<base64(type || public key)>`.
import { publicKeyFromRaw } from './ed25519-key.js';
import { computeKeyHash, formatKeyHash, parseKeyHash } from './key-hash.js';
import { isValidKeyName } from './key-name.js';
import type { NoteVerifier } from './note-key.js';
import { NoteError } from './note-error.js';
import {
  ED25519_KEY_BYTES,
  isSupportedSignatureType,
  type SignatureType,
} from './signature-type.js';
import { fromBase64, toBase64 } from './strict-base64.js';

/** The three `+`-separated fields; the base64 field may itself hold `+`, the name never does. */
export function splitKeyFields(text: string): readonly [string, string, string] | undefined {
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) return undefined;
  return [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
}

export interface KeyParts {
  readonly name: string;
  readonly keyHash: number;
  readonly type: SignatureType;
  /** The key bytes after the type byte: a public key (vkey) or a seed (skey). */
  readonly key: Uint8Array;
}

/** Name, key ID, type and key of a vkey's or skey's fields; refuses anything malformed or unknown. */
export function readKeyParts(fields: readonly [string, string, string] | undefined): KeyParts {
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
  return { name, keyHash, type, key: material.subarray(1) };
}

/** The vkey of a raw 32-byte Ed25519 public key under `name` and signature `type`. */
export function formatVerifierKey(
  name: string,
  type: SignatureType,
  publicKey: Uint8Array,
): string {
  if (
    !isValidKeyName(name) ||
    !isSupportedSignatureType(type) ||
    publicKey.length !== ED25519_KEY_BYTES
  ) {
    throw new NoteError('ERR_NOTE_KEY_MALFORMED');
  }
  const material = Uint8Array.of(type, ...publicKey);
  return `${name}+${formatKeyHash(computeKeyHash(name, type, publicKey))}+${toBase64(material)}`;
}

export function parseVerifierKey(vkey: string): NoteVerifier {
  const {
    name,
    keyHash,
    type,
    key: raw,
  } = readKeyParts(typeof vkey === 'string' ? splitKeyFields(vkey) : undefined);
  const publicKey = publicKeyFromRaw(raw);
  // Why: signature lines are matched to keys by name and key ID alone; a vkey whose ID does not
  // hash from its own name, type and key could claim another key's lines, or its lines another's.
  if (
    raw.length !== ED25519_KEY_BYTES ||
    publicKey === undefined ||
    computeKeyHash(name, type, raw) !== keyHash
  ) {
    throw new NoteError('ERR_NOTE_KEY_MALFORMED');
  }
  return Object.freeze({ name, keyHash, type, publicKey });
}
