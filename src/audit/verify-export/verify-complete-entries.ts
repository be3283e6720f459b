// Step 6a — a complete export: every line canonical and equal to its listed leaf; together, the root.
import {
  isCanonicalJsonText,
  isExportFormatError,
  openExportFile,
  readLineBatches,
  type ExportFile,
  type ExportLine,
  type OpenedExport,
} from '../export-format/index.js';
import { equalHashes, HASH_SIZE, leafHash } from '../merkle/index.js';
import type { Checkpoint } from '../note/index.js';
import type { EntryProgress } from './entry-progress.js';
import { fromFormatError } from './from-format-error.js';
import { LeafHashCursor } from './leaf-hash-cursor.js';
import { StreamingRoot } from './streaming-root.js';
import { VerifyFailure, type VerifyReason } from './verify-failure.js';

export interface EntryEvidence {
  /** MTH(D[captureAt]) as the entries give it, when captureAt was asked for and reached. */
  readonly capturedRoot?: Uint8Array;
}

async function openLeafHashes(exported: OpenedExport, size: number): Promise<ExportFile> {
  const file = await openExportFile(exported.dir, exported.audit.leafHashes ?? '');
  // Why up front: with exactly one hash per leaf, a line can be compared with its hash as it is read.
  if (file.size !== BigInt(size) * BigInt(HASH_SIZE)) {
    await file.handle.close();
    throw new VerifyFailure('FILE_INVALID', {
      detail: `${file.name}: ${file.size} bytes, not ${HASH_SIZE} per leaf of a tree of ${size}`,
    });
  }
  return file;
}

/** Built only on failure: a string per line would cost a million allocations. */
export const badLine = (
  reason: VerifyReason,
  file: ExportFile,
  line: ExportLine,
  index: number | undefined,
): VerifyFailure =>
  new VerifyFailure(reason, {
    detail: `${file.name} line ${line.number}`,
    ...(index === undefined ? {} : { firstBadIndex: index }),
  });

async function walkEntries(
  entries: ExportFile,
  leaves: LeafHashCursor,
  checkpoint: Checkpoint,
  progress: EntryProgress,
  captureAt: number | undefined,
): Promise<EntryEvidence> {
  const tree = new StreamingRoot();
  let capturedRoot: Uint8Array | undefined;
  try {
    for await (const batch of readLineBatches(entries)) {
      for (const line of batch) {
        const index = tree.size;
        if (index === checkpoint.size) throw badLine('ENTRY_EXTRA', entries, line, index);
        if (!isCanonicalJsonText(line.text)) {
          throw badLine('ENTRY_NOT_CANONICAL', entries, line, index);
        }
        const leaf = leafHash(line.bytes);
        const listed = leaves.take() ?? (await leaves.next());
        // Why per line and not only the root at the end: the first line that differs from the
        // log's leaf is the first bad index; the root then proves the listed leaves are the log's.
        if (!equalHashes(leaf, listed)) throw badLine('ENTRY_MISMATCH', entries, line, index);
        tree.append(leaf);
        if (tree.size === captureAt) capturedRoot = tree.root();
        progress.advance();
      }
    }
  } catch (error) {
    // A line that is too long, not UTF-8 or unterminated is no canonical entry either.
    if (!isExportFormatError(error) || error.code !== 'ERR_EXPORT_LINE_INVALID') throw error;
    throw fromFormatError(error, 'ENTRY_NOT_CANONICAL', (error.line ?? tree.size + 1) - 1);
  }
  if (tree.size < checkpoint.size) {
    throw new VerifyFailure('ENTRY_MISSING', {
      firstBadIndex: tree.size,
      detail: `${tree.size} of ${checkpoint.size} entries`,
    });
  }
  if (!equalHashes(tree.root(), checkpoint.rootHash)) {
    throw new VerifyFailure('ROOT_MISMATCH');
  }
  return capturedRoot === undefined ? {} : { capturedRoot };
}

export async function verifyCompleteEntries(
  exported: OpenedExport,
  checkpoint: Checkpoint,
  progress: EntryProgress,
  captureAt?: number,
): Promise<EntryEvidence> {
  const files: ExportFile[] = [];
  let leaves: LeafHashCursor | undefined;
  try {
    const entries = await openExportFile(exported.dir, exported.entries);
    files.push(entries);
    const leafFile = await openLeafHashes(exported, checkpoint.size);
    files.push(leafFile);
    leaves = new LeafHashCursor(leafFile);
    return await walkEntries(entries, leaves, checkpoint, progress, captureAt);
  } catch (error) {
    throw fromFormatError(error, 'FILE_INVALID');
  } finally {
    await leaves?.close();
    await Promise.allSettled(files.map((file) => file.handle.close()));
  }
}
