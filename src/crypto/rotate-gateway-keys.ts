// Rotates the gateway's own keys: a new key is published at once and used only after a lead; the old one stays for an overlap.
import { randomUUID } from 'node:crypto';
import { open, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  addNextKey,
  formatKeyRing,
  parseKeyRing,
  scheduleAt,
  type RingEntry,
} from './gateway-key-ring.js';
import {
  generateSlotKey,
  JWKS_MAX_AGE_SECONDS,
  KEY_REFRESH_SECONDS,
  KEY_SLOTS,
  keyDirectory,
  thumbprintOf,
  type KeySlot,
  type KeyUse,
} from './gateway-keys.js';
import { readPrivateFile } from './private-file.js';

/**
 * Why this floor: a partner may hold the JWKS for JWKS_MAX_AGE_SECONDS, and a running gateway sees
 * the rewritten file within KEY_REFRESH_SECONDS; a key used sooner could meet a cache without it.
 */
export const MIN_ROTATION_LEAD_SECONDS = JWKS_MAX_AGE_SECONDS + KEY_REFRESH_SECONDS;
/**
 * Why this floor: what the old key signed just before the switch (a 15-minute session, a 5-minute
 * access token) must still verify, and partners holding a JWKS fetched before the switch may still
 * encrypt to the old key for JWKS_MAX_AGE_SECONDS.
 */
export const MIN_ROTATION_OVERLAP_SECONDS = 30 * 60;
export const DEFAULT_ROTATION_LEAD_SECONDS = 60 * 60;
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 24 * 60 * 60;

export interface RotationRequest {
  /** Which keys to rotate: the signing key, the encryption keys, or both. */
  readonly uses: readonly KeyUse[];
  readonly now: Date;
  readonly leadSeconds?: number;
  readonly overlapSeconds?: number;
}

export interface RotatedKey {
  readonly file: string;
  readonly use: KeyUse;
  /** The key in use until `activatesAt`. */
  readonly previousKid: string;
  readonly nextKid: string;
  readonly activatesAt: Date;
  readonly previousRetiresAt: Date;
}

/**
 * Adds a next key to each chosen key file. Every file is checked before any is written (a pending
 * rotation refuses the whole request), and each is replaced atomically by rename, so a gateway
 * reading it sees the old ring or the new one. Throws an Error naming the file and the problem.
 */
export async function rotateGatewayKeys(
  dataDir: string,
  request: RotationRequest,
): Promise<RotatedKey[]> {
  const lead = request.leadSeconds ?? DEFAULT_ROTATION_LEAD_SECONDS;
  const overlap = request.overlapSeconds ?? DEFAULT_ROTATION_OVERLAP_SECONDS;
  checkSeconds('lead', lead, MIN_ROTATION_LEAD_SECONDS);
  checkSeconds('overlap', overlap, MIN_ROTATION_OVERLAP_SECONDS);
  const now = request.now.getTime();
  const times = {
    now,
    activatesAt: now + lead * 1000,
    previousRetiresAt: now + (lead + overlap) * 1000,
  };
  const dir = keyDirectory(dataDir);
  const release = await lockRotation(dir);
  try {
    const plans = await Promise.all(
      KEY_SLOTS.filter((slot) => request.uses.includes(slot.use)).map(async (slot) => {
        const path = join(dir, slot.file);
        const entries = parseOrExplain(await readPrivateFile(path, 'key file'), path);
        const jwk = await generateSlotKey(slot);
        try {
          const [inUse] = scheduleAt(entries, now);
          return {
            slot,
            path,
            ring: addNextKey(entries, jwk, times),
            jwk,
            previous: inUse?.entry.jwk,
          };
        } catch (err) {
          throw new Error(`key file ${path} ${(err as Error).message}`, { cause: err });
        }
      }),
    );
    const rotated: RotatedKey[] = [];
    for (const plan of plans) {
      await replaceFile(plan.path, formatKeyRing(plan.ring));
      rotated.push(await describe(plan.slot, plan, times));
    }
    return rotated;
  } finally {
    await release();
  }
}

async function describe(
  slot: KeySlot,
  plan: { readonly jwk: RingEntry['jwk']; readonly previous: RingEntry['jwk'] | undefined },
  times: { readonly activatesAt: number; readonly previousRetiresAt: number },
): Promise<RotatedKey> {
  return {
    file: slot.file,
    use: slot.use,
    previousKid: plan.previous === undefined ? '' : await thumbprintOf(plan.previous),
    nextKid: await thumbprintOf(plan.jwk),
    activatesAt: new Date(times.activatesAt),
    previousRetiresAt: new Date(times.previousRetiresAt),
  };
}

function parseOrExplain(text: string, path: string): RingEntry[] {
  try {
    return parseKeyRing(text);
  } catch (err) {
    throw new Error(`key file ${path} ${(err as Error).message}`, { cause: err });
  }
}

/** Writes beside the file (mode 0600) and renames over it: never a half-written key file. */
async function replaceFile(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
    await rename(temporary, path);
  } catch (err) {
    await unlink(temporary).catch(() => undefined);
    throw err;
  }
}

/** Why a lock file: two rotations reading the same ring at once would each drop the other's key. */
async function lockRotation(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'rotation.lock');
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    throw new Error(
      `another key rotation holds ${path}; if none is running, remove the file and try again`,
      { cause: err },
    );
  }
  await handle.close();
  return () => unlink(path);
}

function checkSeconds(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`the rotation ${name} must be a whole number of seconds, at least ${min}`);
  }
}
