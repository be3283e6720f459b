// The last two files of an export: the checkpoint it is verified against, then the manifest naming all.
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCheckpoint, type Checkpoint } from '../note/index.js';
import { buildExportManifest, type ManifestFacts, type ManifestInput } from './build-manifest.js';
import { EXPORT_FILES, type ExportManifest } from './export-manifest.js';
import { ExportFormatError } from './export-format-error.js';

/** The checkpoint inside a signed note: the text before the note's last blank line. */
export function checkpointOfNote(note: string): Checkpoint {
  try {
    return parseCheckpoint(note.slice(0, note.lastIndexOf('\n\n') + 1));
  } catch (cause) {
    throw new ExportFormatError('ERR_EXPORT_WRITER_MISUSE', {
      detail: 'not a checkpoint note',
      cause,
    });
  }
}

const PRIVATE = { mode: 0o600, flag: 'wx' } as const;

export async function writeFinalFiles(
  dir: string,
  input: ManifestInput & { readonly checkpointNote: string },
  facts: ManifestFacts,
): Promise<ExportManifest> {
  await writeFile(join(dir, EXPORT_FILES.checkpoint), input.checkpointNote, PRIVATE);
  const manifest = buildExportManifest(input, facts);
  // Why a rename: a reader that finds manifest.json finds it whole, and every file it names.
  const partial = join(dir, `${EXPORT_FILES.manifest}.partial`);
  await writeFile(partial, `${JSON.stringify(manifest, null, 2)}\n`, PRIVATE);
  await rename(partial, join(dir, EXPORT_FILES.manifest));
  return manifest;
}
