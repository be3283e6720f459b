// Opens an export directory: reads and checks its manifest, and reads the small files it names.
import { MAX_NOTE_BYTES } from '../note/index.js';
import {
  auditExtensionOf,
  EXPORT_FILES,
  type AuditExportExtension,
  type ExportManifest,
} from './export-manifest.js';
import { MAX_MANIFEST_BYTES } from './export-limits.js';
import { ExportFormatError } from './export-format-error.js';
import { readSmallExportFile } from './export-paths.js';
import { toExportManifest } from './manifest-shape.js';

export interface OpenedExport {
  readonly dir: string;
  readonly manifest: ExportManifest;
  /** The manifest's audit-export extension: where the files are and what they claim. */
  readonly audit: AuditExportExtension;
  /** The manifest's entry file (`output[0].url`). */
  readonly entries: string;
}

/** Throws ERR_EXPORT_FILE_UNREADABLE, ERR_EXPORT_MANIFEST_INVALID or ERR_EXPORT_PATH_UNSAFE. */
export async function readExportManifest(dir: string): Promise<OpenedExport> {
  const bytes = await readSmallExportFile(dir, EXPORT_FILES.manifest, MAX_MANIFEST_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new ExportFormatError('ERR_EXPORT_MANIFEST_INVALID', { detail: 'not JSON', cause });
  }
  const manifest = toExportManifest(value);
  return { dir, manifest, audit: auditExtensionOf(manifest), entries: manifest.output[0].url };
}

/** The export's signed checkpoint note, as bytes (a note is at most MAX_NOTE_BYTES). */
export const readCheckpointNote = (exported: OpenedExport): Promise<Buffer> =>
  readSmallExportFile(exported.dir, exported.audit.checkpoint, MAX_NOTE_BYTES);
