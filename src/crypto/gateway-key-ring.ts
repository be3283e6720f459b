// A gateway key file as a ring of keys on a schedule: which key is in use, published ahead, or kept for overlap.
import type { JWK } from 'jose';

/** in-use: signs or is the one offered now; next: published before it is used; previous: still accepted. */
export type KeyState = 'in-use' | 'next' | 'previous';

/** One key of a ring. Times are epoch milliseconds; absent means "from the start" and "never". */
export interface RingEntry {
  readonly jwk: JWK;
  readonly activatesAt?: number;
  readonly retiresAt?: number;
}

export interface ScheduledEntry {
  readonly entry: RingEntry;
  readonly state: KeyState;
}

/**
 * Reads a key file: a bare private JWK (what the first start writes, one key in use for ever) or
 * `{"keyring": [{"jwk": {…}, "activatesAt": "<ISO>", "retiresAt": "<ISO>"}]}` (what a rotation
 * writes). Throws an Error naming what is wrong; the message never holds key material.
 */
export function parseKeyRing(text: string): RingEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('is not valid JSON');
  }
  if (!isRecord(parsed)) throw new Error('is neither a JWK nor a key ring');
  if (typeof parsed.kty === 'string') return [{ jwk: privateJwk(parsed) }];
  const { keyring } = parsed;
  if (!Array.isArray(keyring) || keyring.length === 0) {
    throw new Error('is neither a JWK nor a key ring {"keyring": [{"jwk": …}]}');
  }
  return keyring.map((item: unknown, index) => {
    if (!isRecord(item) || !isRecord(item.jwk)) throw new Error(`keyring[${index}] has no jwk`);
    const activatesAt = optionalTime(item.activatesAt, `keyring[${index}].activatesAt`);
    const retiresAt = optionalTime(item.retiresAt, `keyring[${index}].retiresAt`);
    return {
      jwk: privateJwk(item.jwk),
      ...(activatesAt === undefined ? {} : { activatesAt }),
      ...(retiresAt === undefined ? {} : { retiresAt }),
    };
  });
}

/** The file text of a ring; the inverse of parseKeyRing. */
export function formatKeyRing(entries: readonly RingEntry[]): string {
  const keyring = entries.map((entry) => ({
    jwk: entry.jwk,
    ...(entry.activatesAt === undefined
      ? {}
      : { activatesAt: new Date(entry.activatesAt).toISOString() }),
    ...(entry.retiresAt === undefined
      ? {}
      : { retiresAt: new Date(entry.retiresAt).toISOString() }),
  }));
  return `${JSON.stringify({ keyring }, null, 2)}\n`;
}

/**
 * The ring at `now`: the key in use first (the latest one whose activation has come), then keys
 * published ahead of use, then earlier keys not yet retired. Throws when no key is in use.
 */
export function scheduleAt(entries: readonly RingEntry[], now: number): ScheduledEntry[] {
  const live = entries.filter((entry) => entry.retiresAt === undefined || now < entry.retiresAt);
  let inUse: RingEntry | undefined;
  for (const entry of live) {
    const from = entry.activatesAt ?? Number.NEGATIVE_INFINITY;
    if (from <= now && (inUse === undefined || from >= (inUse.activatesAt ?? -Infinity))) {
      inUse = entry;
    }
  }
  if (inUse === undefined) throw new Error(`has no key in use at ${new Date(now).toISOString()}`);
  const next = live.filter((entry) => (entry.activatesAt ?? -Infinity) > now);
  const previous = live.filter((entry) => entry !== inUse && !next.includes(entry));
  return [
    { entry: inUse, state: 'in-use' },
    ...next.map((entry) => ({ entry, state: 'next' as const })),
    ...previous.map((entry) => ({ entry, state: 'previous' as const })),
  ];
}

export interface RotationTimes {
  readonly now: number;
  /** When the new key starts being used: now plus the publication lead. */
  readonly activatesAt: number;
  /** When the key in use until then stops being published and accepted. */
  readonly previousRetiresAt: number;
}

/**
 * The ring after adding `jwk` as the next key: retired keys are dropped (their private halves leave
 * the disk), the key in use gets its retirement time. Throws while an earlier rotation is pending,
 * so two schedules never overlap.
 */
export function addNextKey(
  entries: readonly RingEntry[],
  jwk: JWK,
  times: RotationTimes,
): RingEntry[] {
  const scheduled = scheduleAt(entries, times.now);
  const pending = scheduled.find((item) => item.state === 'next');
  if (pending !== undefined) {
    const from = new Date(pending.entry.activatesAt ?? times.now).toISOString();
    throw new Error(`has a rotation under way: its next key is used from ${from}`);
  }
  const kept = scheduled.map(({ entry, state }): RingEntry => {
    if (state !== 'in-use') return entry;
    const retiresAt = Math.min(entry.retiresAt ?? Infinity, times.previousRetiresAt);
    return { ...entry, retiresAt };
  });
  return [...kept, { jwk, activatesAt: times.activatesAt }];
}

function privateJwk(value: Record<string, unknown>): JWK {
  // Why: a ring holding only a public key could publish it but never sign or decrypt with it.
  if (typeof value.kty !== 'string' || typeof value.d !== 'string') {
    throw new Error('holds a key without its private part');
  }
  return value;
}

function optionalTime(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(time)) throw new Error(`${name} is not an ISO 8601 time`);
  return time;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
