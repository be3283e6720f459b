// `enlace audit verify`: the offline verifier's pipeline, step by step, each step one file.
import { checkConsistencyProofs } from './check-consistency.js';
import { checkEarlierCheckpoint } from './check-earlier-checkpoint.js';
import { assertWitnessesCosigned, checkWitnesses } from './check-witnesses.js';
import { EntryProgress } from './entry-progress.js';
import { checkCheckpointMatchesManifest, openCheckpoint } from './open-checkpoint.js';
import { openEarlierCheckpoint } from './open-earlier-checkpoint.js';
import { readExport } from './read-export-step.js';
import { verifyCompleteEntries } from './verify-complete-entries.js';
import { verifyFilteredEntries } from './verify-filtered-entries.js';
import { initialState, toFailure, toResult, type VerifyState } from './verify-result.js';
import type { VerifyExportOptions, VerifyExportResult } from './verify-types.js';

/**
 * manifest → checkpoint signed by the log key → checkpoint matches manifest → earlier checkpoint
 * opened → witness cosignatures (on this checkpoint or the earlier one) → entries (complete: leaf by leaf, then the root; filtered: one
 * inclusion proof each) → consistency proofs → earlier checkpoint consistent. The first step to
 * fail decides the answer. Never throws, whatever the files hold: a failure is `ok: false`.
 */
export async function verifyExport(
  dir: string,
  options: VerifyExportOptions,
): Promise<VerifyExportResult> {
  const state = initialState();
  try {
    await runSteps(dir, options, state);
    return toResult(state);
  } catch (error) {
    return toResult(state, toFailure(error));
  }
}

async function runSteps(
  dir: string,
  options: VerifyExportOptions,
  state: VerifyState,
): Promise<void> {
  const exported = (state.exported = await readExport(dir));
  const opened = await openCheckpoint(exported, options.logKey);
  const checkpoint = (state.checkpoint = opened.checkpoint);
  checkCheckpointMatchesManifest(opened, exported);
  const openedEarlier =
    options.earlierCheckpoint === undefined
      ? undefined
      : openEarlierCheckpoint(options.earlierCheckpoint, options.logKey, checkpoint);
  const earlier = (state.earlier = openedEarlier?.checkpoint);
  state.witnesses = checkWitnesses(opened, options.witnessKeys ?? [], openedEarlier);
  assertWitnessesCosigned(state.witnesses);
  const progress = (state.progress = new EntryProgress(
    exported.manifest.output[0].count,
    options.onProgress,
  ));
  const { capturedRoot } = exported.audit.complete
    ? await verifyCompleteEntries(exported, checkpoint, progress, earlier?.size)
    : await verifyFilteredEntries(exported, checkpoint, progress);
  progress.finish();
  const line = await checkConsistencyProofs(exported, checkpoint, earlier?.size);
  if (earlier === undefined) return;
  checkEarlierCheckpoint(earlier, checkpoint, {
    ...(capturedRoot === undefined ? {} : { capturedRoot }),
    ...(line === undefined ? {} : { line }),
  });
  state.earlierConsistent = true;
}
