// Checkpoint note texts (C2SP tlog-checkpoint §Note text): origin, tree size, root hash, extensions.
import { MAX_KEY_NAME_BYTES } from './note-limits.js';
import { NoteError } from './note-error.js';
import { isValidNoteLine, isValidNoteText, utf8Length } from './note-text.js';
import { fromBase64, toBase64 } from './strict-base64.js';

/** An RFC 6962 Merkle tree head over SHA-256 has a 32-byte root. */
export const ROOT_HASH_BYTES = 32;

/** Decimal with no leading zero (only `0` itself), no sign, at most 16 digits (see below). */
const TREE_SIZE = /^(?:0|[1-9][0-9]{0,15})$/;

export interface Checkpoint {
  readonly origin: string;
  /** Leaves in the tree; at most 2^53 - 1, a bound no log will reach (9 × 10^15 entries). */
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** Opaque, non-empty lines after the root hash; the spec does NOT RECOMMEND them. */
  readonly extensions: readonly string[];
}

export type CheckpointInput = Omit<Checkpoint, 'extensions'> & {
  readonly extensions?: readonly string[];
};

const malformed = (): NoteError => new NoteError('ERR_CHECKPOINT_MALFORMED');

/** Why bound the origin: see MAX_KEY_NAME_BYTES; the spec only asks that it be non-empty. */
const isValidOrigin = (origin: string): boolean =>
  isValidNoteLine(origin) && utf8Length(origin) <= MAX_KEY_NAME_BYTES;

export function formatCheckpoint(checkpoint: CheckpointInput): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint;
  if (
    !isValidOrigin(origin) ||
    !Number.isSafeInteger(size) ||
    size < 0 ||
    !(rootHash instanceof Uint8Array) ||
    rootHash.length !== ROOT_HASH_BYTES ||
    !extensions.every(isValidNoteLine)
  ) {
    throw malformed();
  }
  const text = [origin, String(size), toBase64(rootHash), ...extensions].join('\n') + '\n';
  if (!isValidNoteText(text)) throw malformed();
  return text;
}

/**
 * Reads a checkpoint text, refusing every spelling but the canonical one: a size with a sign, a
 * leading zero or over 2^53 - 1, a root hash that is not padded standard base64 of 32 bytes, an
 * empty origin or an empty extension line. Why canonical: one tree head must have one text, or a
 * witness could be shown two "different" checkpoints for the same head, or the same for two.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string' || !isValidNoteText(text)) throw malformed();
  const [origin = '', sizeLine = '', rootLine = '', ...extensions] = text.slice(0, -1).split('\n');
  if (!isValidOrigin(origin) || !TREE_SIZE.test(sizeLine)) throw malformed();
  const size = Number(sizeLine);
  const rootHash = fromBase64(rootLine);
  if (
    !Number.isSafeInteger(size) ||
    rootHash?.length !== ROOT_HASH_BYTES ||
    extensions.some((line) => line.length === 0)
  ) {
    throw malformed();
  }
  return Object.freeze({ origin, size, rootHash, extensions: Object.freeze(extensions) });
}
