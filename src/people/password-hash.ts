// Password hashing with scrypt from node:crypto; the parameters travel with each hash so they can be raised later.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../kernel/index.js';

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  readonly log2N: number;
  readonly r: number;
  readonly p: number;
  readonly keyLength: number;
}

/** N = 2^15, r = 8 (32 MiB, about 50-100 ms per hash), p = 1, a 32-byte key. */
export const CURRENT_SCRYPT_PARAMS: ScryptParams = { log2N: 15, r: 8, p: 1, keyLength: 32 };
export const SALT_BYTES = 16;

interface ParsedHash {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly key: Buffer;
}

// PHC string format: $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<key>, base64 without padding.
const PHC_PATTERN =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,88})\$([A-Za-z0-9+/]{43,88})$/;

const toB64 = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');

function deriveKey(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.log2N;
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      params.keyLength,
      // scrypt needs 128·N·r bytes; allow twice that so Node's default cap never refuses it.
      { N, r: params.r, p: params.p, maxmem: 256 * N * params.r },
      (err, key) => {
        if (err === null) resolve(key);
        else reject(err);
      },
    );
  });
}

/** Hashes a password with a fresh 16-byte salt; returns the PHC string to store. */
export async function hashPassword(
  password: string,
  params: ScryptParams = CURRENT_SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(password, salt, params);
  return `$scrypt$ln=${params.log2N},r=${params.r},p=${params.p}$${toB64(salt)}$${toB64(key)}`;
}

export function parsePasswordHash(stored: string): ParsedHash {
  const match = PHC_PATTERN.exec(stored);
  const [, ln, r, p, salt, key] = match ?? [];
  if (ln === undefined || r === undefined || p === undefined || !salt || !key) {
    // Why: a malformed stored hash is a corrupted account, never a reason to accept a password.
    throw new GatewayError('ENLACE_INTERNAL', 'a stored password hash is malformed');
  }
  const keyBytes = Buffer.from(key, 'base64');
  return {
    params: { log2N: Number(ln), r: Number(r), p: Number(p), keyLength: keyBytes.length },
    salt: Buffer.from(salt, 'base64'),
    key: keyBytes,
  };
}

/** Whether the password matches the stored hash, compared in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const { params, salt, key } = parsePasswordHash(stored);
  const candidate = await deriveKey(password, salt, params);
  return timingSafeEqual(candidate, key);
}
