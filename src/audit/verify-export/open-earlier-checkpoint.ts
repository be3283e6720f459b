// Step 5 — the auditor's earlier checkpoint: signed by the same log key, same origin, not larger.
import type { Checkpoint, NoteVerifier } from '../note/index.js';
import { openSignedCheckpoint, type OpenedCheckpoint } from './open-checkpoint.js';
import { VerifyFailure } from './verify-failure.js';

export function openEarlierCheckpoint(
  note: string | Uint8Array,
  logKey: NoteVerifier,
  current: Checkpoint,
): OpenedCheckpoint {
  let opened: OpenedCheckpoint;
  try {
    opened = openSignedCheckpoint(note, logKey);
  } catch (error) {
    if (!(error instanceof VerifyFailure)) throw error;
    throw new VerifyFailure('EARLIER_CHECKPOINT_INVALID', { detail: error.detail, cause: error });
  }
  const earlier = opened.checkpoint;
  if (earlier.origin !== current.origin) {
    throw new VerifyFailure('EARLIER_CHECKPOINT_INVALID', {
      detail: `origin ${JSON.stringify(earlier.origin)}, not ${JSON.stringify(current.origin)}`,
    });
  }
  // Why a failure, not a skip: a log never shrinks; a signed head larger than the one it now shows
  // means it was rolled back or is showing this auditor a different, shorter history.
  if (earlier.size > current.size) {
    throw new VerifyFailure('EARLIER_CHECKPOINT_NEWER', {
      detail: `earlier size ${earlier.size}, export size ${current.size}`,
    });
  }
  return opened;
}
