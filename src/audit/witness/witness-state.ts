// What a witness remembers between runs: the last checkpoint it cosigned, kept in a file of its own.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface WitnessState {
  /** The checkpoint note the witness last verified and cosigned. */
  readonly note: string;
  readonly size: number;
  /** base64 root hash at `size`. */
  readonly rootHash: string;
}

export async function readWitnessState(path: string): Promise<WitnessState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const state = JSON.parse(text) as Partial<WitnessState>;
  if (
    typeof state.note !== 'string' ||
    typeof state.rootHash !== 'string' ||
    !Number.isSafeInteger(state.size)
  ) {
    throw new Error(`witness state ${path} is not one this command wrote; refusing to guess`);
  }
  return state as WitnessState;
}

/** Written before the cosignature leaves, so the witness can never vouch for two views of one size. */
export async function writeWitnessState(path: string, state: WitnessState): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}
