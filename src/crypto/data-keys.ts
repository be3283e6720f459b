// The key-encryption keys for payloads at rest: read from ENLACE_DATA_KEYS_FILE or generated once.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readPrivateFile } from './private-file.js';

/** AES-256 key wrap takes exactly 32-byte keys. */
export const DATA_KEY_BYTES = 32;

export const GENERATED_DATA_KEYS_FILE = 'data-keys.json';

/** Key ids travel in every sealed record's header; keep them short and plain. */
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface KeyEncryptionKey {
  readonly id: string;
  readonly key: Uint8Array;
}

export interface DataKeySet {
  /** The id new records are sealed under. */
  readonly current: string;
  /** Every KEK, the current one included; older ones stay so earlier records still open. */
  readonly keks: readonly KeyEncryptionKey[];
}

/** Throws an Error naming what is wrong with a key set; the message never holds key material. */
export function checkDataKeySet(keySet: DataKeySet): void {
  if (keySet.keks.length === 0) throw new Error('the data key set holds no key');
  const seen = new Set<string>();
  for (const { id, key } of keySet.keks) {
    if (!KEY_ID.test(id)) {
      throw new Error(
        `data key id ${JSON.stringify(id.slice(0, 40))} must be 1 to 64 letters, digits, '_' or '-'`,
      );
    }
    if (seen.has(id)) throw new Error(`data key id ${id} appears twice`);
    seen.add(id);
    if (key.byteLength !== DATA_KEY_BYTES) {
      throw new Error(`data key ${id} must be exactly ${DATA_KEY_BYTES} random bytes`);
    }
  }
  if (!seen.has(keySet.current)) {
    throw new Error(
      `the current data key ${JSON.stringify(keySet.current.slice(0, 40))} is not among the keys`,
    );
  }
}

/** Reads `{"current": "kek-2026", "keys": {"kek-2026": "<base64>"}}` and checks it. */
export function parseDataKeySet(text: string): DataKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('the data key file is not valid JSON');
  }
  if (!isRecord(parsed) || typeof parsed.current !== 'string' || !isRecord(parsed.keys)) {
    throw new Error('the data key file must be {"current": "<id>", "keys": {"<id>": "<base64>"}}');
  }
  const keks: KeyEncryptionKey[] = [];
  for (const [id, encoded] of Object.entries(parsed.keys)) {
    if (typeof encoded !== 'string' || !BASE64.test(encoded)) {
      throw new Error(`data key ${JSON.stringify(id.slice(0, 40))} must be a base64 string`);
    }
    keks.push({ id, key: new Uint8Array(Buffer.from(encoded, 'base64')) });
  }
  const keySet: DataKeySet = { current: parsed.current, keks };
  checkDataKeySet(keySet);
  return keySet;
}

/** The file format for a key set; the inverse of parseDataKeySet. */
export function formatDataKeySet(keySet: DataKeySet): string {
  const keys: Record<string, string> = {};
  for (const { id, key } of keySet.keks) keys[id] = Buffer.from(key).toString('base64');
  return `${JSON.stringify({ current: keySet.current, keys }, null, 2)}\n`;
}

/**
 * With `file` (ENLACE_DATA_KEYS_FILE) reads that file; without, uses `<dataDir>/keys/data-keys.json`,
 * creating it (mode 0600, one key "kek-1") on first start. Instances sharing a database must share
 * the file. Throws an Error naming the file and the problem.
 */
export async function loadOrCreateDataKeys(dataDir: string, file?: string): Promise<DataKeySet> {
  if (file !== undefined) return readKeyFile(file);
  const dir = join(dataDir, 'keys');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const path = join(dir, GENERATED_DATA_KEYS_FILE);
  try {
    return await readKeyFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const keySet: DataKeySet = {
    current: 'kek-1',
    keks: [{ id: 'kek-1', key: new Uint8Array(randomBytes(DATA_KEY_BYTES)) }],
  };
  try {
    // 'wx' fails if another process created the file meanwhile, rather than replacing its key.
    await writeFile(path, formatDataKeySet(keySet), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(path);
    throw err;
  }
  return keySet;
}

async function readKeyFile(path: string): Promise<DataKeySet> {
  // Why: whoever reads these keys can open every case stored in the database.
  const text = await readPrivateFile(path, 'data key file');
  try {
    return parseDataKeySet(text);
  } catch (err) {
    throw new Error(`data key file ${path}: ${(err as Error).message}`, { cause: err });
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
