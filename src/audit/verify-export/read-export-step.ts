// Step 1 — read the manifest: a version-1 audit export manifest whose file names stay inside the export.
import { stat } from 'node:fs/promises';
import { readExportManifest, type OpenedExport } from '../export-format/index.js';
import { fromFormatError } from './from-format-error.js';
import { VerifyFailure } from './verify-failure.js';

export async function readExport(dir: string): Promise<OpenedExport> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new VerifyFailure('EXPORT_UNREADABLE', { detail: dir });
  try {
    return await readExportManifest(dir);
  } catch (error) {
    // Why MANIFEST_INVALID for a missing manifest too: the writer renames it into place last, so
    // a directory without one is an export never finished, or not an export at all.
    throw fromFormatError(error, 'MANIFEST_INVALID');
  }
}
