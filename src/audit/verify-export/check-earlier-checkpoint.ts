// Step 8 — the auditor's earlier checkpoint is a prefix of the export's tree: same history, no fork.
import { EMPTY_ROOT, equalHashes } from '../merkle/index.js';
import type { Checkpoint } from '../note/index.js';
import type { ConsistencyLine } from '../export-format/index.js';
import { VerifyFailure } from './verify-failure.js';

export interface EarlierEvidence {
  /** MTH(D[earlier.size]) recomputed from a complete export's own entries. */
  readonly capturedRoot?: Uint8Array;
  /** The consistency.ndjson line for earlier.size, its proof already verified. */
  readonly line?: ConsistencyLine;
}

/**
 * Two checkpoints the log signed with the same size and different roots, or an earlier root that
 * is not a prefix of the current one, are a split view: the log showed two histories.
 */
export function checkEarlierCheckpoint(
  earlier: Checkpoint,
  current: Checkpoint,
  evidence: EarlierEvidence,
): void {
  const inconsistent = (): VerifyFailure =>
    new VerifyFailure('EARLIER_CHECKPOINT_INCONSISTENT', { detail: `size ${earlier.size}` });
  if (earlier.size === 0) {
    if (!equalHashes(earlier.rootHash, EMPTY_ROOT)) throw inconsistent();
    return;
  }
  if (earlier.size === current.size) {
    if (!equalHashes(earlier.rootHash, current.rootHash)) throw inconsistent();
    return;
  }
  const { capturedRoot, line } = evidence;
  if (capturedRoot === undefined && line === undefined) {
    throw new VerifyFailure('EARLIER_CHECKPOINT_UNPROVEN', { detail: `size ${earlier.size}` });
  }
  if (capturedRoot !== undefined && !equalHashes(earlier.rootHash, capturedRoot))
    throw inconsistent();
  if (line !== undefined && !equalHashes(earlier.rootHash, line.root)) throw inconsistent();
}
