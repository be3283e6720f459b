// The survivor pseudonym key set: which key is current and every key still needed to find older records.

/** Key ids appear in every pseudonym (`<keyId>.<hmac>`), so they may not hold a '.'. */
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** HMAC-SHA-256 keys shorter than its output would weaken it (RFC 2104 §3). */
export const MIN_PSEUDONYM_KEY_BYTES = 32;

export interface PseudonymKeySet {
  /** The key new pseudonyms are made with. */
  readonly current: string;
  /** Every key by id, the current one included; older keys stay so records made before a rotation are found. */
  readonly keys: Readonly<Record<string, Uint8Array>>;
}

/** Throws an Error naming what is wrong with a key set; the message never holds key material. */
export function checkPseudonymKeySet(keySet: PseudonymKeySet): void {
  const ids = Object.keys(keySet.keys);
  if (ids.length === 0) throw new Error('the pseudonym key set holds no key');
  for (const id of ids) {
    if (!KEY_ID.test(id)) {
      throw new Error(
        `pseudonym key id ${JSON.stringify(id.slice(0, 40))} must be 1 to 32 letters, digits, '_' or '-'`,
      );
    }
    const key = keySet.keys[id];
    if (key === undefined || key.length < MIN_PSEUDONYM_KEY_BYTES) {
      throw new Error(
        `pseudonym key ${id} must hold at least ${MIN_PSEUDONYM_KEY_BYTES} random bytes`,
      );
    }
  }
  if (!Object.hasOwn(keySet.keys, keySet.current)) {
    throw new Error(
      `the current pseudonym key ${JSON.stringify(keySet.current.slice(0, 40))} is not among the keys`,
    );
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Reads the key file format `{"current": "k2", "keys": {"k1": "<base64>", "k2": "<base64>"}}` and
 * checks it; throws an Error naming the problem (never a key).
 */
export function parsePseudonymKeySet(text: string): PseudonymKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('the pseudonym key file is not valid JSON');
  }
  if (!isRecord(parsed) || typeof parsed.current !== 'string' || !isRecord(parsed.keys)) {
    throw new Error(
      'the pseudonym key file must be {"current": "<id>", "keys": {"<id>": "<base64>"}}',
    );
  }
  const keys: Record<string, Uint8Array> = {};
  for (const [id, encoded] of Object.entries(parsed.keys)) {
    if (typeof encoded !== 'string' || !BASE64.test(encoded)) {
      throw new Error(`pseudonym key ${JSON.stringify(id.slice(0, 40))} must be a base64 string`);
    }
    keys[id] = new Uint8Array(Buffer.from(encoded, 'base64'));
  }
  const keySet: PseudonymKeySet = { current: parsed.current, keys };
  checkPseudonymKeySet(keySet);
  return keySet;
}

/** The key file format for a key set; the inverse of parsePseudonymKeySet. */
export function formatPseudonymKeySet(keySet: PseudonymKeySet): string {
  const keys: Record<string, string> = {};
  for (const [id, key] of Object.entries(keySet.keys))
    keys[id] = Buffer.from(key).toString('base64');
  return `${JSON.stringify({ current: keySet.current, keys }, null, 2)}\n`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
