// Lists the external anchors (`anchors/*.pem`) and CRLs (`crls/*.crl`, `*.pem`) an operator put in a certs folder.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayError } from '../kernel/index.js';

export interface CertsDirFiles {
  /** PEM bundles of CA certificates, in name order. */
  readonly anchorFiles: readonly string[];
  /** CRL files, DER or PEM, in name order. */
  readonly crlFiles: readonly string[];
}

const FOLDERS = {
  anchors: { suffixes: ['.pem'], holds: 'CA certificates in PEM (*.pem)' },
  crls: { suffixes: ['.crl', '.pem'], holds: 'CRLs in DER (*.crl) or PEM (*.pem)' },
} as const;

/**
 * The files of `<dir>/anchors` and `<dir>/crls`. A folder that does not exist holds nothing (a fresh
 * clone has only placeholders); dot files such as `.gitkeep` are skipped.
 */
export async function listCertsDir(dir: string): Promise<CertsDirFiles> {
  return {
    anchorFiles: await listFolder(dir, 'anchors'),
    crlFiles: await listFolder(dir, 'crls'),
  };
}

async function listFolder(dir: string, name: keyof typeof FOLDERS): Promise<string[]> {
  const folder = join(dir, name);
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    throw new GatewayError('ENLACE_PKI_MATERIAL_INVALID', `cannot read ${folder}`, {
      cause: error,
    });
  }
  const { suffixes, holds } = FOLDERS[name];
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    // Why refuse rather than skip: a national CA saved as ca.cer or ca.der and silently ignored
    // would leave the operator believing it trusted; the start-up stops and says what to do.
    if (!entry.isFile() || !suffixes.some((suffix) => entry.name.endsWith(suffix))) {
      throw new GatewayError(
        'ENLACE_PKI_MATERIAL_INVALID',
        `${path} is not allowed in ${folder}, which holds only ${holds}; convert or move it (see certs/README.md)`,
      );
    }
    files.push(path);
  }
  return files;
}
