// The latest checkpoint kept beside the database, so restoring an older database file is detected.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const DIR = 'audit';
const FILE = 'latest-checkpoint';

/**
 * Why outside the database: whoever can replace the database file can also replace every
 * checkpoint in it; the copy in the data directory remembers how far the log had grown.
 */
export async function writeCheckpointFile(dataDir: string, note: string): Promise<void> {
  const dir = join(dataDir, DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, note, { mode: 0o600 });
  await rename(temporary, path);
}

export async function readCheckpointFile(dataDir: string): Promise<string | undefined> {
  try {
    return await readFile(join(dataDir, DIR, FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
