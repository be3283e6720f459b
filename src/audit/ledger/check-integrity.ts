// Start-up integrity of the audit log: its rows, tree and frontier agree, and no signed checkpoint is lost or contradicted.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.js';
import { compactRangeRoot, equalHashes, rootAt } from '../merkle/index.js';
import { openNote, parseCheckpoint, type Checkpoint } from '../note/index.js';
import { latestCheckpoint } from './checkpoint-repository.js';
import { readCheckpointFile } from './checkpoint-file.js';
import { nodeReader, readLogHead } from './ledger-reads.js';
import type { LogKey } from './log-key.js';

export interface IntegrityDeps {
  readonly db: Kysely<Database>;
  readonly logKey: LogKey;
  readonly dataDir: string;
}

export type IntegrityVerdict =
  { readonly ok: true } | { readonly ok: false; readonly reason: string };

const fail = (reason: string): IntegrityVerdict => ({ ok: false, reason });

/**
 * Why these checks: the triggers stop the application, not a database superuser. Deleting rows
 * breaks the count; truncating or restoring an older file leaves the log shorter than a checkpoint
 * it signed; altering or rewriting entries changes the root at a signed size, and a rewrite
 * without the log key cannot sign a new checkpoint. Each answer costs O(log n) reads.
 */
export async function checkLogIntegrity(deps: IntegrityDeps): Promise<IntegrityVerdict> {
  // Why the file first and the rest in one snapshot: another process (a cluster worker, a second
  // instance) may append and sign meanwhile. Read apart, the counter and the row count could
  // straddle a commit, and a checkpoint file written after the head was read could be larger
  // than it; both would report a sound log as tampered. The file read first can only be smaller.
  const fileNote = await readCheckpointFile(deps.dataDir);
  return deps.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute((trx) => checkSnapshot(trx, deps.logKey, fileNote));
}

async function checkSnapshot(
  db: Kysely<Database>,
  logKey: LogKey,
  fileNote: string | undefined,
): Promise<IntegrityVerdict> {
  const head = await readLogHead(db);
  const { rows } = await db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll().as('rows'))
    .executeTakeFirstOrThrow();
  if (Number(rows) !== head.size) {
    return fail(
      `audit_event holds ${Number(rows)} entries but the log counter says ${head.size}: entries were deleted or inserted outside the gateway`,
    );
  }
  const read = nodeReader(db);
  if (!equalHashes(await rootAt(head.size, read).catch(() => undefined), compactRangeRoot(head))) {
    return fail(
      `the tree nodes do not give the log's own root at size ${head.size}: the tree was altered`,
    );
  }
  const stored = await latestCheckpoint(db);
  const references: [string, string | undefined][] = [
    ['the latest checkpoint in the database', stored?.note],
    ['the checkpoint kept in the data directory', fileNote],
  ];
  for (const [where, note] of references) {
    if (note === undefined) continue;
    const checkpoint = openCheckpoint(note, logKey);
    if (checkpoint === undefined) {
      return fail(`${where} is not a checkpoint signed by this gateway's log key`);
    }
    if (checkpoint.size > head.size) {
      return fail(
        `the log holds ${head.size} entries but ${where} was signed at size ${checkpoint.size}: the log was rolled back or truncated`,
      );
    }
    const root = await rootAt(checkpoint.size, read).catch(() => undefined);
    if (!equalHashes(root, checkpoint.rootHash)) {
      return fail(
        `the log's root at size ${checkpoint.size} differs from ${where}: entries were altered or the log was rewritten`,
      );
    }
  }
  return { ok: true };
}

function openCheckpoint(note: string, logKey: LogKey): Checkpoint | undefined {
  try {
    return parseCheckpoint(openNote(note, [logKey.signer]).text);
  } catch {
    return undefined;
  }
}
