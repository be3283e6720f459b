// The lines of proofs.ndjson and consistency.ndjson: parsed, shape-checked, never trusted further.
import { ExportFormatError } from './export-format-error.js';
import type { ExportFile } from './export-paths.js';
import { fromHashBase64, fromProofBase64, toHashBase64 } from './hash-base64.js';
import { readLines, type ExportLine } from './read-lines.js';

/** proofs.ndjson line k: the leaf index of entry line k and its inclusion proof in the checkpoint's tree. */
export interface InclusionLine {
  readonly index: number;
  readonly proof: readonly Uint8Array[];
}

/** consistency.ndjson: an earlier checkpoint's size and root, and the proof from it to treeSize. */
export interface ConsistencyLine {
  readonly size: number;
  readonly root: Uint8Array;
  readonly proof: readonly Uint8Array[];
}

const isIndex = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function invalid(file: ExportFile, line: ExportLine, why: string): ExportFormatError {
  return new ExportFormatError('ERR_EXPORT_LINE_INVALID', {
    line: line.number,
    detail: `${file.name} line ${line.number}: ${why}`,
  });
}

/** JSON.parse of one line as an object; ERR_EXPORT_LINE_INVALID for anything else. */
export function parseJsonObject(file: ExportFile, line: ExportLine): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch (cause) {
    throw new ExportFormatError('ERR_EXPORT_LINE_INVALID', {
      line: line.number,
      detail: `${file.name} line ${line.number}: not JSON`,
      cause,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(file, line, 'not a JSON object');
  }
  return value as Record<string, unknown>;
}

export function toInclusionLine(file: ExportFile, line: ExportLine): InclusionLine {
  const { index, proof } = parseJsonObject(file, line);
  const hashes = fromProofBase64(proof);
  if (!isIndex(index)) throw invalid(file, line, 'index is not a safe non-negative integer');
  if (hashes === undefined) throw invalid(file, line, 'proof is not a list of base64 hashes');
  return { index, proof: hashes };
}

export function toConsistencyLine(file: ExportFile, line: ExportLine): ConsistencyLine {
  const { size, root, proof } = parseJsonObject(file, line);
  const rootHash = fromHashBase64(root);
  const hashes = fromProofBase64(proof);
  if (!isIndex(size)) throw invalid(file, line, 'size is not a safe non-negative integer');
  if (rootHash === undefined) throw invalid(file, line, 'root is not a base64 hash');
  if (hashes === undefined) throw invalid(file, line, 'proof is not a list of base64 hashes');
  return { size, root: rootHash, proof: hashes };
}

export async function* readInclusionLines(
  file: ExportFile,
): AsyncGenerator<InclusionLine & { readonly line: number }> {
  for await (const line of readLines(file))
    yield { ...toInclusionLine(file, line), line: line.number };
}

export async function* readConsistencyLines(
  file: ExportFile,
): AsyncGenerator<ConsistencyLine & { readonly line: number }> {
  for await (const line of readLines(file))
    yield { ...toConsistencyLine(file, line), line: line.number };
}

/** The JSON text of a proofs.ndjson line (canonical: members in JCS order, no spaces). */
export const formatInclusionLine = (index: number, proof: readonly Uint8Array[]): string =>
  JSON.stringify({ index, proof: proof.map(toHashBase64) });

/** The JSON text of a consistency.ndjson line (canonical: members in JCS order, no spaces). */
export const formatConsistencyLine = (line: ConsistencyLine): string =>
  JSON.stringify({
    proof: line.proof.map(toHashBase64),
    root: toHashBase64(line.root),
    size: line.size,
  });
