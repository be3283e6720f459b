// Signs a checkpoint of the committed log: size and root from the counter row, a C2SP note with the log key.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.js';
import { compactRangeRoot } from '../merkle/index.js';
import { formatCheckpoint, openNote, parseCheckpoint, signNote } from '../note/index.js';
import {
  insertCheckpoint,
  latestCheckpoint,
  type StoredCheckpoint,
} from './checkpoint-repository.js';
import { readCheckpointFile, writeCheckpointFile } from './checkpoint-file.js';
import { readLogHead } from './ledger-reads.js';
import type { LogKey } from './log-key.js';

export interface CheckpointDeps {
  readonly db: Kysely<Database>;
  readonly logKey: LogKey;
  readonly origin: string;
  readonly dataDir: string;
  readonly clock: () => Date;
}

/**
 * A new checkpoint when the log grew since the latest one; undefined when it did not. Why the
 * counter row: its size and frontier are one committed row, so the root is exactly the root of
 * the entries committed up to that size, whatever other instances append meanwhile.
 */
export async function createCheckpoint(
  deps: CheckpointDeps,
): Promise<StoredCheckpoint | undefined> {
  const head = await readLogHead(deps.db);
  const latest = await latestCheckpoint(deps.db);
  if (head.size === 0 || (latest !== undefined && latest.size >= head.size)) return undefined;
  const root = compactRangeRoot(head);
  const note = signNote(
    formatCheckpoint({ origin: deps.origin, size: head.size, rootHash: root }),
    [deps.logKey.signer],
  );
  const checkpoint = { size: head.size, root, note, createdAt: deps.clock().toISOString() };
  await insertCheckpoint(deps.db, checkpoint);
  await keepLargestOnDisk(deps, checkpoint);
  return checkpoint;
}

/** Replaces the file copy only with a larger checkpoint (instances may finish out of order). */
async function keepLargestOnDisk(
  deps: CheckpointDeps,
  checkpoint: StoredCheckpoint,
): Promise<void> {
  const existing = await readCheckpointFile(deps.dataDir);
  if (existing !== undefined) {
    try {
      const opened = openNote(existing, [deps.logKey.signer]);
      if (parseCheckpoint(opened.text).size >= checkpoint.size) return;
    } catch {
      // An unreadable copy is replaced; the integrity check reports it at the next start.
    }
  }
  await writeCheckpointFile(deps.dataDir, checkpoint.note);
}
