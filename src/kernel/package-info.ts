// The name and version of this build, read once from package.json (two levels up from src/ and dist/ alike).
import { readFileSync } from 'node:fs';

export interface PackageInfo {
  readonly name: string;
  readonly version: string;
}

export function readPackageInfo(): PackageInfo {
  const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const parsed = JSON.parse(raw) as { name?: unknown; version?: unknown };
  if (typeof parsed.name !== 'string' || typeof parsed.version !== 'string') {
    throw new Error('package.json lacks a name or version');
  }
  return { name: parsed.name, version: parsed.version };
}
