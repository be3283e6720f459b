// The gateway's own key pairs: created on first start (mode 0600), imported once, never parsed per request.
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

export type KeyUse = 'sig' | 'enc';

export interface GatewayKey {
  readonly kid: string;
  readonly alg: string;
  readonly use: KeyUse;
  readonly privateKey: KeyObject | webcrypto.CryptoKey;
  /** The public half as a JWK: kty, crv, x, y, kid, alg, use — never a private member. */
  readonly publicJwk: JWK;
}

export interface GatewayKeys {
  /** Signs access tokens, acknowledgements and consent Provenance (ES256). */
  readonly signing: GatewayKey;
  /** Partners encrypt to these (ECDH-ES+A256KW on P-256 and X25519). */
  readonly encryption: readonly GatewayKey[];
}

interface KeySpec {
  readonly file: string;
  readonly alg: string;
  readonly use: KeyUse;
  readonly crv?: string;
}

const SPECS = {
  signing: { file: 'gateway-signing-es256.jwk.json', alg: 'ES256', use: 'sig' },
  encP256: { file: 'gateway-enc-p256.jwk.json', alg: 'ECDH-ES+A256KW', use: 'enc', crv: 'P-256' },
  encX25519: {
    file: 'gateway-enc-x25519.jwk.json',
    alg: 'ECDH-ES+A256KW',
    use: 'enc',
    crv: 'X25519',
  },
} as const satisfies Record<string, KeySpec>;

/** Public members a JWK may carry; anything else (d, p, q, dp, dq, qi, oth, k) is private. */
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

/** Loads the gateway's keys from `<dataDir>/keys`, creating any that are missing. */
export async function loadOrCreateGatewayKeys(dataDir: string): Promise<GatewayKeys> {
  const dir = join(dataDir, 'keys');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const [signing, encP256, encX25519] = await Promise.all([
    loadOrCreate(dir, SPECS.signing),
    loadOrCreate(dir, SPECS.encP256),
    loadOrCreate(dir, SPECS.encX25519),
  ]);
  return { signing, encryption: [encP256, encX25519] };
}

/**
 * Readiness of the key files: each still present and readable by the owner only. A file removed
 * or opened up while running means the next restart would mint or refuse keys; say so now.
 */
export async function checkGatewayKeyFiles(
  dataDir: string,
): Promise<{ readonly ok: boolean; readonly detail?: string }> {
  for (const spec of Object.values(SPECS)) {
    const problem = await checkPrivateFile(join(dataDir, 'keys', spec.file));
    if (problem !== undefined) return { ok: false, detail: `${spec.file} ${problem}` };
  }
  return { ok: true };
}

async function loadOrCreate(dir: string, spec: KeySpec): Promise<GatewayKey> {
  const path = join(dir, spec.file);
  let jwk: JWK;
  try {
    // Why: a private key readable by others is a leak waiting to happen; refuse to use it.
    jwk = JSON.parse(await readPrivateFile(path, 'key file')) as JWK;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    jwk = await generate(spec);
    // 'wx' fails if another process created the file meanwhile, rather than overwriting its key.
    await writeFile(path, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' });
  }
  return toGatewayKey(jwk, spec);
}

async function generate(spec: KeySpec): Promise<JWK> {
  const { privateKey } = await generateKeyPair(
    spec.crv === 'X25519' ? 'ECDH-ES+A256KW' : spec.alg,
    {
      extractable: true,
      ...(spec.crv === undefined ? {} : { crv: spec.crv }),
    },
  );
  return exportJWK(privateKey);
}

async function toGatewayKey(jwk: JWK, spec: KeySpec): Promise<GatewayKey> {
  const publicOnly: JWK = {};
  for (const member of PUBLIC_MEMBERS) {
    const value = jwk[member];
    if (typeof value === 'string') publicOnly[member] = value;
  }
  const kid = await calculateJwkThumbprint(publicOnly);
  const privateKey = await importJWK({ ...jwk, alg: spec.alg }, spec.alg);
  if (privateKey instanceof Uint8Array)
    throw new Error(`key ${spec.file} is not an asymmetric key`);
  return {
    kid,
    alg: spec.alg,
    use: spec.use,
    privateKey,
    publicJwk: { ...publicOnly, kid, alg: spec.alg, use: spec.use },
  };
}
