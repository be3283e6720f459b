// Reads and writes the CA's files under `<dataDir>/pki/`: keys readable by the owner only.
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PrivateFileError, readPrivateFile as readOwnerOnlyFile } from '../crypto/index.js';
import { GatewayError } from '../kernel/index.js';

export function pkiDir(dataDir: string): string {
  return join(dataDir, 'pki');
}

/** Creates `<dataDir>/pki` (mode 0700) and tightens it if it already existed. */
export async function ensurePkiDir(dataDir: string): Promise<string> {
  const dir = pkiDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  return dir;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Writes a file with mode 0600. Without `overwrite`, 'wx' fails if the file appeared meanwhile
 * rather than replacing someone else's key.
 */
export async function writePrivateFile(
  path: string,
  content: string,
  overwrite: boolean,
): Promise<void> {
  await writeFile(path, content, { mode: 0o600, flag: overwrite ? 'w' : 'wx' });
  // Why: mode on open only applies to new files; an overwritten file keeps its old mode otherwise.
  await chmod(path, 0o600);
}

/** Reads a private key file, refusing one that group or others could read. */
export async function readPrivateFile(path: string): Promise<string> {
  // Why: a CA key readable by other accounts lets them mint partner certificates; refuse to use it.
  return readOwnerOnlyFile(path, 'private key file').catch((error: unknown) => {
    throw new GatewayError(
      'ENLACE_PKI_MATERIAL_INVALID',
      error instanceof PrivateFileError ? error.message : `cannot read ${path}`,
      { cause: error },
    );
  });
}

/** Reads a public file (certificate, bundle, CRL) given by the operator. */
export async function readPublicFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new GatewayError('ENLACE_PKI_MATERIAL_INVALID', `cannot read ${path}`, {
      cause: error,
    });
  }
}
