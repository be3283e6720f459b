// Step 7 — consistency.ndjson: every earlier checkpoint it lists is a prefix of the export's tree.
import {
  openExportFile,
  readConsistencyLines,
  type ConsistencyLine,
  type ExportFile,
  type OpenedExport,
} from '../export-format/index.js';
import { verifyConsistency } from '../merkle/index.js';
import type { Checkpoint } from '../note/index.js';
import { fromFormatError } from './from-format-error.js';
import { VerifyFailure } from './verify-failure.js';

/**
 * Verifies every line (each costs O(log n), and sizes must increase, so the work is bounded) and
 * returns the one for `earlierSize`, if listed. Why every line: a log that hands out a proof that
 * does not verify is broken or lying, whichever checkpoint the auditor happens to hold.
 */
export async function checkConsistencyProofs(
  exported: OpenedExport,
  checkpoint: Checkpoint,
  earlierSize?: number,
): Promise<ConsistencyLine | undefined> {
  let file: ExportFile | undefined;
  let found: ConsistencyLine | undefined;
  let lastSize = 0;
  try {
    file = await openExportFile(exported.dir, exported.audit.consistency);
    for await (const line of readConsistencyLines(file)) {
      const at = `${file.name} line ${line.line}, size ${line.size}`;
      if (line.size <= lastSize || line.size >= checkpoint.size) {
        throw new VerifyFailure('CONSISTENCY_INVALID', {
          detail: `${at}: sizes must increase, from 1, below ${checkpoint.size}`,
        });
      }
      if (
        !verifyConsistency(line.size, checkpoint.size, line.proof, line.root, checkpoint.rootHash)
      ) {
        throw new VerifyFailure('CONSISTENCY_INVALID', { detail: at });
      }
      if (line.size === earlierSize) found = line;
      lastSize = line.size;
    }
  } catch (error) {
    throw fromFormatError(error, 'CONSISTENCY_INVALID');
  } finally {
    await file?.handle.close();
  }
  return found;
}
