// The gateway's own key pairs: created on first start (mode 0600), rotated on a published schedule, imported once.
import { mkdir, writeFile, chmod } from 'node:fs/promises';
import type { webcrypto } from 'node:crypto';
import { join } from 'node:path';
import { checkPrivateFile, readPrivateFile } from './private-file.js';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type KeyObject,
} from 'jose';
import { parseKeyRing, scheduleAt, type KeyState } from './gateway-key-ring.js';

export type KeyUse = 'sig' | 'enc';
export type { KeyState } from './gateway-key-ring.js';

/** How long partners and caches may keep the published JWKS (`Cache-Control: max-age`). */
export const JWKS_MAX_AGE_SECONDS = 300;
/** How often a running gateway re-reads its key files and applies their schedule. */
export const KEY_REFRESH_SECONDS = 60;

export interface GatewayKey {
  readonly kid: string;
  readonly alg: string;
  readonly use: KeyUse;
  readonly privateKey: KeyObject | webcrypto.CryptoKey;
  /** The public half as a JWK: kty, crv, x, y, kid, alg, use — never a private member. */
  readonly publicJwk: JWK;
}

/** A key the gateway publishes now, with where it stands in its rotation. */
export interface PublishedKey {
  readonly key: GatewayKey;
  readonly state: KeyState;
  /** For a next key: when it starts being used. */
  readonly activatesAt?: Date;
  /** When the key stops being published and accepted; absent while no rotation retires it. */
  readonly retiresAt?: Date;
}

export interface GatewayKeys {
  /**
   * Signs access tokens, acknowledgements and consent Provenance (ES256): always the key in use
   * now. Loaded from files, this object stays the same while a rotation changes the key beneath
   * it, so whoever keeps it signs with the right key; read its members together, synchronously.
   */
  readonly signing: GatewayKey;
  /** The encryption keys in use, one per curve (ECDH-ES+A256KW on P-256 and X25519). */
  readonly encryption: readonly GatewayKey[];
  /**
   * Every key published now: those in use, then keys published ahead of use and earlier keys kept
   * for overlap. Absent for a fixed set, which publishes exactly `signing` and `encryption`.
   */
  readonly published?: readonly PublishedKey[];
  /** Changes whenever `published` does, so caches built from it know to rebuild. */
  readonly revision?: number;
}

/** The keys loaded from `<dataDir>/keys`, following the schedule their files hold. */
export interface GatewayKeyring extends GatewayKeys {
  readonly published: readonly PublishedKey[];
  readonly revision: number;
  /** Re-reads the key files and applies their schedule at the clock's now; true when anything changed. */
  refresh(): Promise<boolean>;
}

/** The keys a set publishes: its `published` list, or its signing and encryption keys in use. */
export function publishedKeysOf(keys: GatewayKeys): readonly PublishedKey[] {
  return (
    keys.published ??
    [keys.signing, ...keys.encryption].map((key): PublishedKey => ({ key, state: 'in-use' }))
  );
}

export interface KeySlot {
  readonly file: string;
  readonly alg: string;
  readonly use: KeyUse;
  readonly crv?: string;
}

/** The three key files, in the order the JWKS lists their keys. */
export const KEY_SLOTS: readonly KeySlot[] = [
  { file: 'gateway-signing-es256.jwk.json', alg: 'ES256', use: 'sig' },
  { file: 'gateway-enc-p256.jwk.json', alg: 'ECDH-ES+A256KW', use: 'enc', crv: 'P-256' },
  { file: 'gateway-enc-x25519.jwk.json', alg: 'ECDH-ES+A256KW', use: 'enc', crv: 'X25519' },
];

/** Public members a JWK may carry; anything else (d, p, q, dp, dq, qi, oth, k) is private. */
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

export const keyDirectory = (dataDir: string): string => join(dataDir, 'keys');

/**
 * Loads the gateway's keys from `<dataDir>/keys`, creating any that are missing, and applies the
 * files' rotation schedule at `clock()`; `refresh()` does both again (the gateway calls it every
 * KEY_REFRESH_SECONDS, so a rotation written by `enlace keys rotate` reaches a running gateway).
 */
export async function loadOrCreateGatewayKeys(
  dataDir: string,
  clock: () => Date = () => new Date(),
): Promise<GatewayKeyring> {
  const dir = keyDirectory(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  await Promise.all(KEY_SLOTS.map((slot) => createIfMissing(dir, slot)));
  const imported = new Map<string, GatewayKey>();
  let state = await readState(dir, clock(), imported);
  let revision = 1;
  // Why live getters: people, delivery and retrieval keep the signing key they were built with;
  // through this object they still sign with the key in use after a scheduled switch.
  const signing: GatewayKey = {
    get kid() {
      return state.signing.kid;
    },
    get alg() {
      return state.signing.alg;
    },
    get use() {
      return state.signing.use;
    },
    get privateKey() {
      return state.signing.privateKey;
    },
    get publicJwk() {
      return state.signing.publicJwk;
    },
  };
  return {
    signing,
    get encryption() {
      return state.encryption;
    },
    get published() {
      return state.published;
    },
    get revision() {
      return revision;
    },
    refresh: async () => {
      const fresh = await readState(dir, clock(), imported);
      if (fresh.fingerprint === state.fingerprint) return false;
      // One assignment: a reader sees the old set or the new one, never a mixture.
      state = fresh;
      revision += 1;
      return true;
    },
  };
}

/**
 * Calls `refresh` every `intervalMs` until the returned function is called. A failed refresh
 * (a key file removed, opened up or garbled) keeps the keys in force and is reported to `onError`.
 */
export function startKeyRefresh(
  keys: GatewayKeyring,
  intervalMs: number,
  onError: (err: unknown) => void,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    keys
      .refresh()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}

/**
 * Readiness of the key files: each still present and readable by the owner only. A file removed
 * or opened up while running means the next restart would mint or refuse keys; say so now.
 */
export async function checkGatewayKeyFiles(
  dataDir: string,
): Promise<{ readonly ok: boolean; readonly detail?: string }> {
  for (const slot of KEY_SLOTS) {
    const problem = await checkPrivateFile(join(keyDirectory(dataDir), slot.file));
    if (problem !== undefined) return { ok: false, detail: `${slot.file} ${problem}` };
  }
  return { ok: true };
}

/** A new private JWK for the slot. */
export async function generateSlotKey(slot: KeySlot): Promise<JWK> {
  const { privateKey } = await generateKeyPair(
    slot.crv === 'X25519' ? 'ECDH-ES+A256KW' : slot.alg,
    {
      extractable: true,
      ...(slot.crv === undefined ? {} : { crv: slot.crv }),
    },
  );
  return exportJWK(privateKey);
}

/** The thumbprint (RFC 7638) that names a key in the JWKS and in `kid` headers. */
export function thumbprintOf(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(publicOnly(jwk));
}

interface LoadedKeys {
  readonly signing: GatewayKey;
  readonly encryption: readonly GatewayKey[];
  readonly published: readonly PublishedKey[];
  /** kids, states and times: equal fingerprints mean nothing changed. */
  readonly fingerprint: string;
}

async function createIfMissing(dir: string, slot: KeySlot): Promise<void> {
  const path = join(dir, slot.file);
  if ((await checkPrivateFile(path)) !== 'is missing') return;
  const jwk = await generateSlotKey(slot);
  try {
    // 'wx' fails if another process created the file meanwhile, rather than overwriting its key.
    await writeFile(path, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

async function readState(
  dir: string,
  now: Date,
  imported: Map<string, GatewayKey>,
): Promise<LoadedKeys> {
  const slots = await Promise.all(
    KEY_SLOTS.map(async (slot) => {
      const path = join(dir, slot.file);
      // Why: a private key readable by others is a leak waiting to happen; refuse to use it.
      const text = await readPrivateFile(path, 'key file');
      let scheduled;
      try {
        scheduled = scheduleAt(parseKeyRing(text), now.getTime());
      } catch (err) {
        throw new Error(`key file ${path} ${(err as Error).message}`, { cause: err });
      }
      return Promise.all(
        scheduled.map(async ({ entry, state }): Promise<PublishedKey> => {
          const key = await toGatewayKey(entry.jwk, slot, imported);
          return {
            key,
            state,
            ...(state === 'next' && entry.activatesAt !== undefined
              ? { activatesAt: new Date(entry.activatesAt) }
              : {}),
            ...(entry.retiresAt === undefined ? {} : { retiresAt: new Date(entry.retiresAt) }),
          };
        }),
      );
    }),
  );
  const [signingSlot = [], ...encryptionSlots] = slots;
  const inUse = (keys: readonly PublishedKey[]): GatewayKey => {
    const [first] = keys;
    if (first === undefined) throw new Error('a key slot holds no key');
    return first.key;
  };
  const published = slots.flat();
  return {
    signing: inUse(signingSlot),
    encryption: encryptionSlots.map(inUse),
    published,
    fingerprint: published
      .map((item) =>
        [
          item.key.kid,
          item.state,
          item.activatesAt?.getTime() ?? '',
          item.retiresAt?.getTime() ?? '',
        ].join(' '),
      )
      .join('\n'),
  };
}

/** Imports a key once: a refresh that finds the same JWK reuses the same GatewayKey. */
async function toGatewayKey(
  jwk: JWK,
  slot: KeySlot,
  imported: Map<string, GatewayKey>,
): Promise<GatewayKey> {
  const cacheKey = `${slot.file} ${JSON.stringify(jwk)}`;
  const known = imported.get(cacheKey);
  if (known !== undefined) return known;
  const publicJwk = publicOnly(jwk);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateKey = await importJWK({ ...jwk, alg: slot.alg }, slot.alg);
  if (privateKey instanceof Uint8Array) {
    throw new Error(`key ${slot.file} is not an asymmetric key`);
  }
  const key: GatewayKey = {
    kid,
    alg: slot.alg,
    use: slot.use,
    privateKey,
    publicJwk: { ...publicJwk, kid, alg: slot.alg, use: slot.use },
  };
  imported.set(cacheKey, key);
  return key;
}

function publicOnly(jwk: JWK): JWK {
  const out: JWK = {};
  for (const member of PUBLIC_MEMBERS) {
    const value = jwk[member];
    if (typeof value === 'string') out[member] = value;
  }
  return out;
}
