// A random secret kept in the data directory (mode 0600) when the operator supplies none.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readPrivateFile } from './private-file.js';

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
    // Why: a secret others can read protects nothing; refuse it rather than use it.
    return Buffer.from((await readPrivateFile(path, 'secret file')).trim(), 'base64');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const secret = randomBytes(bytes);
    await writeFile(path, `${secret.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}
