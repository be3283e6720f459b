// Step 6b — a filtered export: each line canonical, with an inclusion proof into the checkpoint tree.
import {
  isCanonicalJsonText,
  isExportFormatError,
  openExportFile,
  readInclusionLines,
  readLines,
  type ExportFile,
  type InclusionLine,
  type OpenedExport,
} from '../export-format/index.js';
import { leafHash, verifyInclusion } from '../merkle/index.js';
import type { Checkpoint } from '../note/index.js';
import type { EntryProgress } from './entry-progress.js';
import { badLine, type EntryEvidence } from './verify-complete-entries.js';
import { fromFormatError } from './from-format-error.js';
import { VerifyFailure } from './verify-failure.js';

type Proofs = AsyncIterator<InclusionLine & { readonly line: number }, void>;

async function nextProof(
  proofs: Proofs,
): Promise<(InclusionLine & { readonly line: number }) | undefined> {
  try {
    const next = await proofs.next();
    return next.done === true ? undefined : next.value;
  } catch (error) {
    throw fromFormatError(error, 'PROOF_INVALID');
  }
}

async function walkEntries(
  entries: ExportFile,
  proofs: Proofs,
  checkpoint: Checkpoint,
  progress: EntryProgress,
): Promise<void> {
  let lastIndex = -1;
  try {
    for await (const line of readLines(entries)) {
      const proof = await nextProof(proofs);
      if (proof === undefined) throw badLine('PROOF_INVALID', entries, line, undefined);
      const { index } = proof;
      // Why increasing: one line per leaf, in log order; a repeated index would count one entry twice.
      if (index <= lastIndex || index >= checkpoint.size) {
        throw new VerifyFailure('PROOF_INVALID', {
          firstBadIndex: index,
          detail: `proof line ${proof.line}: index ${index} after ${lastIndex} in a tree of ${checkpoint.size}`,
        });
      }
      if (!isCanonicalJsonText(line.text)) {
        throw badLine('ENTRY_NOT_CANONICAL', entries, line, index);
      }
      const leaf = leafHash(line.bytes);
      if (!verifyInclusion(leaf, index, checkpoint.size, proof.proof, checkpoint.rootHash)) {
        throw badLine('ENTRY_NOT_INCLUDED', entries, line, index);
      }
      lastIndex = index;
      progress.advance();
    }
  } catch (error) {
    if (!isExportFormatError(error) || error.code !== 'ERR_EXPORT_LINE_INVALID') throw error;
    throw fromFormatError(error, 'ENTRY_NOT_CANONICAL');
  }
  const extra = await nextProof(proofs);
  // Why: a proof with no entry is an entry that was removed (or cut off) from the file.
  if (extra !== undefined) {
    throw new VerifyFailure('ENTRY_MISSING', {
      firstBadIndex: extra.index,
      detail: `proof line ${extra.line} has no entry`,
    });
  }
}

export async function verifyFilteredEntries(
  exported: OpenedExport,
  checkpoint: Checkpoint,
  progress: EntryProgress,
): Promise<EntryEvidence> {
  const files: ExportFile[] = [];
  let proofs: AsyncGenerator<InclusionLine & { readonly line: number }, void> | undefined;
  try {
    const entries = await openExportFile(exported.dir, exported.entries);
    files.push(entries);
    const proofFile = await openExportFile(exported.dir, exported.audit.proofs ?? '');
    files.push(proofFile);
    proofs = readInclusionLines(proofFile);
    await walkEntries(entries, proofs, checkpoint, progress);
  } catch (error) {
    throw fromFormatError(error, 'FILE_INVALID');
  } finally {
    await proofs?.return();
    await Promise.allSettled(files.map((file) => file.handle.close()));
  }
  // The manifest is unsigned, but a count it states and the file contradicts is a broken export.
  if (progress.done !== exported.manifest.output[0].count) {
    throw new VerifyFailure('COUNT_MISMATCH', {
      detail: `${progress.done} entries, manifest says ${exported.manifest.output[0].count}`,
    });
  }
  // Nothing to capture: a filtered export proves an earlier checkpoint by consistency proof only.
  return {};
}
