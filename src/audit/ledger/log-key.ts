// The audit log's own Ed25519 key (C2SP signed-note format), separate from every other gateway key.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readPrivateFile } from '../../crypto/index.js';
import { generateNoteKey, parseSignerKey, type NoteSigner } from '../note/index.js';

export const LOG_KEY_FILE = 'audit-log.key';

export interface LogKey {
  readonly signer: NoteSigner;
  /** The public verifier key (`origin+hash+base64`) auditors and witnesses are given. */
  readonly verifierKey: string;
}

/**
 * The log key in `<dataDir>/keys/audit-log.key`, created on first start. Why its own key: a
 * checkpoint signature must prove the log only; a leak of the token or message keys must not
 * let anyone sign a rewritten history, and rotating those keys must not orphan old checkpoints.
 */
export async function loadOrCreateLogKey(
  dataDir: string,
  origin: string,
  originConfigured = true,
): Promise<LogKey> {
  const dir = join(dataDir, 'keys');
  const path = join(dir, LOG_KEY_FILE);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let skey: string;
  try {
    skey = (await readPrivateFile(path, 'audit log key file')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    skey = generateNoteKey(origin).signerKey;
    try {
      // 'wx' fails if another process created the key meanwhile, rather than replacing it.
      await writeFile(path, `${skey}\n`, { mode: 0o600, flag: 'wx' });
    } catch (raced) {
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
      skey = (await readPrivateFile(path, 'audit log key file')).trim();
    }
  }
  const signer = parseSignerKey(skey);
  // Why refuse: the key's name is the origin checkpoints carry; a renamed log would sign
  // checkpoints that auditors holding the old verifier key cannot match to it. Without a
  // configured origin the log simply keeps its own (the default follows the port, which changes).
  if (originConfigured && signer.name !== origin) {
    throw new Error(
      `audit log key ${path} is named ${signer.name} but ENLACE_AUDIT_LOG_ORIGIN is ${origin}; keep the origin the log was started with`,
    );
  }
  return { signer, verifierKey: signer.verifierKey };
}
