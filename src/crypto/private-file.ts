// Reads a file holding a key or secret: a regular file, named directly, readable by its owner only.
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { lstat, open } from 'node:fs/promises';

/** A key or secret file the gateway refuses to use; its message is the operator's one line. */
export class PrivateFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PrivateFileError';
  }
}

/**
 * What is wrong with a key file, or undefined when nothing is. Why refuse links: a link can be
 * re-pointed by whoever owns its directory, swapping the key without touching the file's mode.
 */
export function privateFileProblem(info: Stats): string | undefined {
  if (info.isSymbolicLink()) return 'is a symbolic link; name the file itself';
  if (info.isDirectory()) return 'is a directory, not a file';
  if (!info.isFile()) return 'is not a regular file';
  if ((info.mode & 0o077) !== 0) return 'is readable by group or others; run chmod 600 on it';
  return undefined;
}

/**
 * The file's text. `what` names it in the refusal (`key file`, `data key file`…). A missing file
 * rejects with the ENOENT error itself, so callers that create keys on first use can tell.
 */
export async function readPrivateFile(path: string, what: string): Promise<string> {
  let handle;
  try {
    // O_NOFOLLOW: the check and the read concern the same file, never a link's target.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOOP') throw err;
    throw new PrivateFileError(`${what} ${path} ${String(privateFileProblem(await lstat(path)))}`, {
      cause: err,
    });
  }
  try {
    const problem = privateFileProblem(await handle.stat());
    if (problem !== undefined) throw new PrivateFileError(`${what} ${path} ${problem}`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** The same check without reading, for readiness: undefined when the file is fine. */
export async function checkPrivateFile(path: string): Promise<string | undefined> {
  try {
    return privateFileProblem(await lstat(path));
  } catch {
    return 'is missing';
  }
}
