// Writes an audit export as a stream: entries, proofs and consistency lines one by one, manifest last.
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { equalHashes, isHash, leafHash, MAX_PROOF_LENGTH } from '../merkle/index.js';
import type { ManifestInput } from './build-manifest.js';
import { EXPORT_FILES, type ExportManifest } from './export-manifest.js';
import { ExportFormatError } from './export-format-error.js';
import { FileSink } from './file-sink.js';
import { isCanonicalJsonText } from './is-canonical-json.js';
import { formatConsistencyLine, formatInclusionLine, type ConsistencyLine } from './proof-lines.js';
import { checkpointOfNote, writeFinalFiles } from './write-final-files.js';

export interface ExportWriterOptions {
  /** True for every leaf 0..treeSize-1 in order; false for a filtered export with proofs. */
  readonly complete: boolean;
}

export interface ExportFinishInput extends ManifestInput {
  /** The signed checkpoint: its text, a blank line, the log's signature and witness cosignatures. */
  readonly checkpointNote: string;
}

/** Call each method after the previous one's promise settled; abort() after any failure. */
export interface ExportWriter {
  readonly dir: string;
  /** One event: its RFC 8785 text, its leaf index, and (filtered exports) its inclusion proof. */
  writeEntry(canonical: string, index: number, proof?: readonly Uint8Array[]): Promise<void>;
  /** One earlier checkpoint, in increasing size, with the consistency proof to the final tree. */
  writeConsistency(line: ConsistencyLine): Promise<void>;
  /** Writes checkpoint.txt and then manifest.json, whose presence marks the export whole. */
  finish(input: ExportFinishInput): Promise<ExportManifest>;
  /** Closes the files and removes the directory. */
  abort(): Promise<void>;
}

const misuse = (detail: string): ExportFormatError =>
  new ExportFormatError('ERR_EXPORT_WRITER_MISUSE', { detail });

const isProof = (proof: readonly Uint8Array[] | undefined): proof is readonly Uint8Array[] =>
  Array.isArray(proof) && proof.length <= MAX_PROOF_LENGTH && proof.every(isHash);

const isIndex = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

async function createSinks(
  dir: string,
  complete: boolean,
): Promise<[FileSink, FileSink, FileSink]> {
  // Why chmod too: the mode given to mkdir is filtered through the process umask.
  await chmod(dir, 0o700);
  const names = [
    EXPORT_FILES.entries,
    EXPORT_FILES.consistency,
    complete ? EXPORT_FILES.leafHashes : EXPORT_FILES.proofs,
  ];
  const sinks: FileSink[] = [];
  for (const name of names) sinks.push(await FileSink.create(join(dir, name)));
  return sinks as [FileSink, FileSink, FileSink];
}

/** Creates `dir` (0700; its parent must exist, and `dir` must not) and the export's files (0600). */
export async function createExportWriter(
  dir: string,
  options: ExportWriterOptions,
): Promise<ExportWriter> {
  const { complete } = options;
  await mkdir(dir, { mode: 0o700 });
  const sinks = await createSinks(dir, complete).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  const [entries, consistency, sidecar] = sinks;
  let count = 0;
  let lastIndex = -1;
  let lastSize = 0;
  let lastRoot: Uint8Array | undefined;
  let state: 'open' | 'finished' | 'aborted' = 'open';

  const assertOpen = (): void => {
    if (state !== 'open') throw misuse(`the writer is ${state}`);
  };

  return {
    dir,
    async writeEntry(canonical, index, proof) {
      assertOpen();
      // Why check what the server hands us: a line that is not its own JCS form has a leaf hash
      // no auditor can recompute, and a newline inside it would split it in two.
      if (typeof canonical !== 'string' || !isCanonicalJsonText(canonical)) {
        throw misuse(`entry ${count} is not RFC 8785 canonical JSON`);
      }
      if (
        complete
          ? index !== count || proof !== undefined
          : !(isIndex(index) && index > lastIndex && isProof(proof))
      ) {
        throw misuse(
          complete
            ? `a complete export holds index ${count} next, without a proof`
            : `entry ${count} needs an increasing index and a proof`,
        );
      }
      const line = Buffer.from(`${canonical}\n`, 'utf8');
      await entries.write(line);
      await sidecar.write(
        complete ? leafHash(line.subarray(0, -1)) : `${formatInclusionLine(index, proof ?? [])}\n`,
      );
      count += 1;
      lastIndex = index;
    },
    async writeConsistency(line) {
      assertOpen();
      // Why tolerate a repeat: a log may checkpoint the same size twice (at shutdown, then at
      // start); the same head twice proves nothing new. Another root for it is a fork: refuse.
      if (line.size === lastSize && lastRoot !== undefined && equalHashes(line.root, lastRoot)) {
        return;
      }
      if (
        !isIndex(line.size) ||
        line.size <= lastSize ||
        !isHash(line.root) ||
        !isProof(line.proof)
      ) {
        throw misuse('consistency lines need increasing sizes from 1, a root and a proof');
      }
      await consistency.write(`${formatConsistencyLine(line)}\n`);
      lastSize = line.size;
      lastRoot = line.root;
    },
    async finish(input) {
      assertOpen();
      const checkpoint = checkpointOfNote(input.checkpointNote);
      if (complete ? count !== checkpoint.size : lastIndex >= checkpoint.size) {
        throw misuse(`the entries do not fit a checkpoint of size ${checkpoint.size}`);
      }
      if (lastSize > 0 && lastSize >= checkpoint.size) {
        throw misuse('a consistency line is not older than the checkpoint');
      }
      state = 'finished';
      for (const sink of sinks) await sink.close();
      return writeFinalFiles(dir, input, {
        origin: checkpoint.origin,
        treeSize: checkpoint.size,
        complete,
        count,
      });
    },
    async abort() {
      const wasOpen = state === 'open';
      state = 'aborted';
      if (wasOpen) await Promise.allSettled(sinks.map((sink) => sink.discard()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
