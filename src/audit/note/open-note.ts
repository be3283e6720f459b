// Opens a signed note: checks every signature by a known key, returns the text only if one holds.
import { formatKeyHash } from './key-hash.js';
import type { NoteVerifier } from './note-key.js';
import { NoteError } from './note-error.js';
import { splitNote } from './split-note.js';
import { verifyNoteSignature } from './verify-note-signature.js';

export interface OpenedNote {
  /** The note text, with its final newline; trusted because a known key signed it. */
  readonly text: string;
  /** Names of the known keys whose signatures hold, once per key, in line order. */
  readonly verifiedBy: readonly string[];
  /** Distinct signature lines from keys not among the verifiers, ignored as the spec requires. */
  readonly unverifiedCount: number;
}

const keyId = (name: string, keyHash: number): string => `${name}+${formatKeyHash(keyHash)}`;

function indexVerifiers(verifiers: readonly NoteVerifier[]): ReadonlyMap<string, NoteVerifier> {
  const index = new Map<string, NoteVerifier>();
  for (const verifier of verifiers) {
    const id = keyId(verifier.name, verifier.keyHash);
    // Why: with two keys under one name and ID, which one a line means would be a guess.
    if (index.has(id)) throw new NoteError('ERR_NOTE_KEY_AMBIGUOUS');
    index.set(id, verifier);
  }
  return index;
}

/**
 * Throws ERR_NOTE_MALFORMED for anything C2SP signed-note §Format forbids, whatever the keys, and
 * ERR_NOTE_VERIFICATION_FAILED, with one generic message, when no known key's signature holds or
 * when any known key's signature fails.
 */
export function openNote(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
): OpenedNote {
  const index = indexVerifiers(verifiers);
  const { text, signatures } = splitNote(note);
  const verified = new Map<string, string>();
  const unverified = new Set<string>();
  const checked = new Set<string>();
  for (const { name, keyHash, signature, line } of signatures) {
    const verifier = index.get(keyId(name, keyHash));
    // Why ignore: signed-note §Signatures says verifiers MUST ignore signatures from unknown keys,
    // even ones sharing a name or a key ID (but not both) with a known key; this permits rotation.
    if (verifier === undefined) {
      unverified.add(line);
      continue;
    }
    // A repeated identical line proves nothing new; checking it once bounds the work per key.
    if (checked.has(line)) continue;
    checked.add(line);
    // Why reject the whole note: the spec says a known key's signature MUST be verified and SHOULD
    // sink the note if it fails; a bad line from a trusted key means tampering or a broken signer.
    if (verifyNoteSignature(verifier, text, signature) === undefined) {
      throw new NoteError('ERR_NOTE_VERIFICATION_FAILED');
    }
    verified.set(keyId(name, keyHash), name);
  }
  // Why: signed-note §Signatures — if no known key's signature verifies, the note MUST be rejected.
  if (verified.size === 0) throw new NoteError('ERR_NOTE_VERIFICATION_FAILED');
  return Object.freeze({
    text,
    verifiedBy: Object.freeze([...verified.values()]),
    unverifiedCount: unverified.size,
  });
}
