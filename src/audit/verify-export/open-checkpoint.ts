// Steps 2–3 — open the checkpoint note with the log key, and check it is the tree the manifest claims.
import { type OpenedExport, readCheckpointNote } from '../export-format/index.js';
import {
  isNoteError,
  openNote,
  parseCheckpoint,
  type Checkpoint,
  type NoteVerifier,
} from '../note/index.js';
import { fromFormatError } from './from-format-error.js';
import { VerifyFailure } from './verify-failure.js';

export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** The checkpoint body the log signed (and witnesses cosign). */
  readonly text: string;
  /** The note's signature lines, without newlines: the log's and any witness's. */
  readonly signatureLines: readonly string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The checkpoint in `note` if `logKey` signed it. Every refusal is CHECKPOINT_INVALID with the
 * note library's uniform message: which check failed is no business of a forger.
 */
export function openSignedCheckpoint(
  note: string | Uint8Array,
  logKey: NoteVerifier,
): OpenedCheckpoint {
  try {
    const { text } = openNote(note, [logKey]);
    // openNote accepted the note, so it is UTF-8 and its signature block follows text + blank line.
    const decoded = typeof note === 'string' ? note : utf8.decode(note);
    const block = decoded.slice(text.length + 1, -1);
    return { checkpoint: parseCheckpoint(text), text, signatureLines: block.split('\n') };
  } catch (error) {
    if (!isNoteError(error)) throw error;
    throw new VerifyFailure('CHECKPOINT_INVALID', { detail: error.message, cause: error });
  }
}

export async function openCheckpoint(
  exported: OpenedExport,
  logKey: NoteVerifier,
): Promise<OpenedCheckpoint> {
  const note = await readCheckpointNote(exported).catch((error: unknown) => {
    throw fromFormatError(error, 'CHECKPOINT_INVALID');
  });
  return openSignedCheckpoint(note, logKey);
}

/** Why: the manifest is unsigned; only the signed checkpoint says which tree the entries belong to. */
export function checkCheckpointMatchesManifest(
  opened: OpenedCheckpoint,
  exported: OpenedExport,
): void {
  const { origin, size } = opened.checkpoint;
  if (origin !== exported.audit.origin || size !== exported.audit.treeSize) {
    throw new VerifyFailure('CHECKPOINT_MISMATCH', {
      detail: `checkpoint ${JSON.stringify(origin)} size ${size}, manifest ${JSON.stringify(exported.audit.origin)} size ${exported.audit.treeSize}`,
    });
  }
}
