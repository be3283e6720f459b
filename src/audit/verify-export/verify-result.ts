// Builds the verifier's answer from what the pipeline learned before it finished or failed.
import { toHashBase64, type OpenedExport } from '../export-format/index.js';
import type { Checkpoint } from '../note/index.js';
import { EntryProgress } from './entry-progress.js';
import { VERIFY_REASON_MESSAGES, VerifyFailure } from './verify-failure.js';
import type { VerifyExportResult, WitnessResult } from './verify-types.js';

/** What the steps established so far; the pipeline fills it in as each step passes. */
export interface VerifyState {
  exported?: OpenedExport;
  checkpoint?: Checkpoint;
  witnesses: WitnessResult[];
  earlier?: Checkpoint | undefined;
  earlierConsistent: boolean;
  progress: EntryProgress;
}

export const initialState = (): VerifyState => ({
  witnesses: [],
  earlierConsistent: false,
  progress: new EntryProgress(0),
});

/**
 * Why fail closed on anything else: hostile input must end in a verdict, never a crash; an error
 * that is no VerifyFailure is a defect of ours, and it still means "not verified".
 */
export const toFailure = (error: unknown): VerifyFailure =>
  error instanceof VerifyFailure
    ? error
    : new VerifyFailure('INTERNAL', { detail: String(error), cause: error });

/** The answer: `ok` unless `failure`; the signed checkpoint's facts override the manifest's claims. */
export function toResult(state: VerifyState, failure?: VerifyFailure): VerifyExportResult {
  const { exported, checkpoint, earlier } = state;
  return {
    ok: failure === undefined,
    ...(failure === undefined
      ? {}
      : {
          reason: failure.reason,
          message: VERIFY_REASON_MESSAGES[failure.reason],
          ...(failure.detail === undefined ? {} : { detail: failure.detail }),
          ...(failure.firstBadIndex === undefined ? {} : { firstBadIndex: failure.firstBadIndex }),
        }),
    entries: state.progress.done,
    ...(exported === undefined
      ? {}
      : {
          origin: exported.audit.origin,
          treeSize: exported.audit.treeSize,
          complete: exported.audit.complete,
        }),
    ...(checkpoint === undefined
      ? {}
      : {
          origin: checkpoint.origin,
          treeSize: checkpoint.size,
          root: toHashBase64(checkpoint.rootHash),
        }),
    witnesses: state.witnesses,
    ...(earlier === undefined
      ? {}
      : { earlier: { size: earlier.size, ok: state.earlierConsistent } }),
  };
}
