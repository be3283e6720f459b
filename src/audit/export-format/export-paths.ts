// Names inside an export are untrusted: only plain relative paths that stay inside its directory.
import { constants } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { MAX_FILE_NAME_LENGTH } from './export-limits.js';
import { ExportFormatError } from './export-format-error.js';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * Whether `name` is a relative path of plain segments: no leading `/`, no `..` or `.`, no
 * backslash, drive letter, empty segment or control character. Why so strict: a manifest naming
 * `../../home/auditor/.ssh/id_ed25519` or `/dev/zero` must not steer what the verifier reads.
 */
export function isSafeExportName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    name.length <= MAX_FILE_NAME_LENGTH &&
    name.split('/').every((segment) => SEGMENT.test(segment) && !/^\.+$/.test(segment))
  );
}

export interface ExportFile {
  readonly name: string;
  readonly handle: FileHandle;
  /** Exact size in bytes. */
  readonly size: bigint;
}

const unreadable = (name: string, why: string, cause?: unknown): ExportFormatError =>
  new ExportFormatError('ERR_EXPORT_FILE_UNREADABLE', { detail: `${name}: ${why}`, cause });

/** Opens `name` inside `dir` for reading, refusing what escapes it (also by symlink) or is no file. */
export async function openExportFile(dir: string, name: string): Promise<ExportFile> {
  if (!isSafeExportName(name)) {
    throw new ExportFormatError('ERR_EXPORT_PATH_UNSAFE', { detail: JSON.stringify(name) });
  }
  let real: string;
  let root: string;
  try {
    root = await realpath(dir);
    real = await realpath(join(dir, name));
  } catch (cause) {
    throw unreadable(name, 'missing', cause);
  }
  // Why after resolving links: a symlink inside the directory may point anywhere.
  if (!real.startsWith(root.endsWith(sep) ? root : root + sep)) {
    throw new ExportFormatError('ERR_EXPORT_PATH_UNSAFE', { detail: JSON.stringify(name) });
  }
  // Why stat before open: opening a FIFO would block until someone writes to it.
  const info = await stat(real, { bigint: true }).catch((cause: unknown) => {
    throw unreadable(name, 'missing', cause);
  });
  if (!info.isFile()) throw unreadable(name, 'not a regular file');
  try {
    const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK);
    return { name, handle, size: info.size };
  } catch (cause) {
    throw unreadable(name, 'cannot be opened', cause);
  }
}

/** Reads a whole small file of the export, refusing one larger than `maxBytes`. */
export async function readSmallExportFile(
  dir: string,
  name: string,
  maxBytes: number,
): Promise<Buffer> {
  const file = await openExportFile(dir, name);
  try {
    if (file.size > BigInt(maxBytes)) throw unreadable(name, `larger than ${maxBytes} bytes`);
    const bytes = await file.handle.readFile();
    // Why again: the file may have grown between stat and read.
    if (bytes.length > maxBytes) throw unreadable(name, `larger than ${maxBytes} bytes`);
    return bytes;
  } finally {
    await file.handle.close();
  }
}
