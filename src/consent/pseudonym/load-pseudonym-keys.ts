// Loads the pseudonym key set from the configured file, or from one generated in the data directory.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readPrivateFile } from '../../crypto/index.js';
import {
  formatPseudonymKeySet,
  MIN_PSEUDONYM_KEY_BYTES,
  parsePseudonymKeySet,
  type PseudonymKeySet,
} from './pseudonym-keys.js';

export const GENERATED_PSEUDONYM_KEYS_FILE = 'pseudonym-keys.json';

/**
 * With `file` (ENLACE_PSEUDONYM_KEYS_FILE) reads and checks that file; without, uses
 * `<dataDir>/keys/pseudonym-keys.json`, creating it (mode 0600, one key "k1") on first use.
 * Deployments with several instances must supply the file: each instance generating its own key
 * would give one woman different pseudonyms. Throws an Error naming the file and the problem.
 */
export async function loadOrCreatePseudonymKeys(
  dataDir: string,
  file?: string,
): Promise<PseudonymKeySet> {
  if (file !== undefined) return readKeyFile(file);
  const dir = join(dataDir, 'keys');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const path = join(dir, GENERATED_PSEUDONYM_KEYS_FILE);
  try {
    return await readKeyFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const keySet: PseudonymKeySet = {
    current: 'k1',
    keys: { k1: new Uint8Array(randomBytes(MIN_PSEUDONYM_KEY_BYTES)) },
  };
  try {
    // 'wx' fails if another process created the file meanwhile, rather than replacing its key.
    await writeFile(path, formatPseudonymKeySet(keySet), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(path);
    throw err;
  }
  return keySet;
}

async function readKeyFile(path: string): Promise<PseudonymKeySet> {
  // Why: whoever reads these keys can test guessed id numbers against every stored pseudonym.
  const text = await readPrivateFile(path, 'pseudonym key file');
  try {
    return parsePseudonymKeySet(text);
  } catch (err) {
    throw new Error(`pseudonym key file ${path}: ${(err as Error).message}`, { cause: err });
  }
}
