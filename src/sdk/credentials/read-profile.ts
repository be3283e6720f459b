// A profile file: where the gateway is and which key files are this institution's, so no program repeats them.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * `{"gateway": "https://…", "clientId": "…", "signingKey": "police.key", "certificate": "police.crt",
 * "decryptionKey": "police-enc.key"}`; optional `kid`, `alg`, `scope`, `networkCa` (a PEM file
 * pinning the network CA) and `auditLogKey`. Relative paths are read from the profile's folder.
 */
export interface Profile {
  readonly gateway: string;
  readonly clientId: string;
  readonly signingKey: string;
  readonly certificate?: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly decryptionKey?: string;
  readonly scope?: string;
  readonly networkCa?: string;
  readonly auditLogKey?: string;
}

const PATHS = ['signingKey', 'certificate', 'decryptionKey', 'networkCa'] as const;
const STRINGS = ['gateway', 'clientId', ...PATHS, 'kid', 'alg', 'scope', 'auditLogKey'] as const;
const REQUIRED = new Set<string>(['gateway', 'clientId', 'signingKey']);

export async function readProfile(path: string): Promise<Profile> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const profile: Record<string, string> = {};
  for (const name of STRINGS) {
    const value = parsed[name];
    if (value === undefined && !REQUIRED.has(name)) continue;
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(`${path}: "${name}" must be a non-empty string`);
    }
    profile[name] = (PATHS as readonly string[]).includes(name)
      ? resolve(dirname(path), value)
      : value;
  }
  return profile as unknown as Profile;
}
