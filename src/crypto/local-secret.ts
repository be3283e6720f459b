// A random secret kept in the data directory (mode 0600) when the operator supplies none.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Returns the secret in `<dataDir>/keys/<name>`, creating `bytes` random bytes on first use.
 * Production deployments with several instances supply the secret from configuration instead.
 */
export async function loadOrCreateLocalSecret(
  dataDir: string,
  name: string,
  bytes: number,
): Promise<Uint8Array> {
  const dir = join(dataDir, 'keys');
  const path = join(dir, name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    const info = await stat(path);
    // Why: a secret others can read protects nothing; refuse it rather than use it.
    if ((info.mode & 0o077) !== 0) {
      throw new Error(`secret file ${path} is readable by group or others; run chmod 600 on it`);
    }
    return Buffer.from((await readFile(path, 'utf8')).trim(), 'base64');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const secret = randomBytes(bytes);
    await writeFile(path, `${secret.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}
