// The full pass over the log after start: every stored entry hashes to its leaf, with no gap in the sequence.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.js';
import { leafHashOfStored } from '../ledger-entry.js';
import { equalHashes } from '../merkle/index.js';
import type { IntegrityVerdict } from './check-integrity.js';

const BATCH = 1000;

/**
 * Why a pass of its own: an entry altered after the latest checkpoint, or a row changed while
 * its leaf was left alone, shows only when the entry itself is hashed again. It runs in batches
 * so the gateway serves while it reads; `size` bounds it to the log as it was at start.
 */
export async function scanLog(
  db: Kysely<Database>,
  size: number,
  onBatch: (done: number) => void = () => undefined,
): Promise<IntegrityVerdict> {
  for (let from = 0; from < size; from += BATCH) {
    const to = Math.min(size, from + BATCH);
    const rows = await db
      .selectFrom('audit_event')
      .select(['seq', 'resource'])
      .where('seq', '>', from)
      .where('seq', '<=', to)
      .orderBy('seq')
      .execute();
    const leaves = await db
      .selectFrom('audit_tree_node')
      .select(['idx', 'hash'])
      .where('level', '=', 0)
      .where('idx', '>=', from)
      .where('idx', '<', to)
      .orderBy('idx')
      .execute();
    for (let index = from; index < to; index += 1) {
      const row = rows[index - from];
      const leaf = leaves[index - from];
      if (row === undefined || row.seq !== index + 1) {
        return { ok: false, reason: `the entry at index ${index} is missing from audit_event` };
      }
      if (leaf === undefined || leaf.idx !== index) {
        return { ok: false, reason: `the leaf at index ${index} is missing from the tree` };
      }
      if (!equalHashes(hashOrUndefined(row.resource), new Uint8Array(leaf.hash))) {
        return {
          ok: false,
          reason: `the entry at index ${index} does not hash to its leaf: it was altered after it was recorded`,
        };
      }
    }
    onBatch(to);
    // Let requests run between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { ok: true };
}

/** An entry that no longer parses has no leaf: it was altered. */
function hashOrUndefined(resource: string): Uint8Array | undefined {
  try {
    return leafHashOfStored(resource);
  } catch {
    return undefined;
  }
}
