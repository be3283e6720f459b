// Reads of the Merkle log the ledger needs: its size and frontier, complete-subtree nodes in one query, stored entries.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.js';
import { decodeFrontier } from '../../store/shared/frontier.js';
import type { CompactRange, NodeKey, NodeReader } from '../merkle/index.js';

/** The committed log: its size and compact range, read together from the counter row. */
export async function readLogHead(db: Kysely<Database>): Promise<CompactRange> {
  const row = await db
    .selectFrom('audit_sequence')
    .select(['last_seq', 'frontier'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  return decodeFrontier(row.last_seq, row.frontier);
}

/** A NodeReader over the node table: every key of a plan in one query, answered in the plan's order. */
export function nodeReader(db: Kysely<Database>): NodeReader {
  return async (keys: readonly NodeKey[]) => {
    if (keys.length === 0) return [];
    const rows = await db
      .selectFrom('audit_tree_node')
      .select(['level', 'idx', 'hash'])
      .where((eb) =>
        eb.or(keys.map((key) => eb.and([eb('level', '=', key.level), eb('idx', '=', key.index)]))),
      )
      .execute();
    const found = new Map(rows.map((row) => [`${row.level}/${row.idx}`, row.hash]));
    // A missing node is reported by the assembler as MERKLE_NODE_MISSING.
    return keys.map((key) => new Uint8Array(found.get(`${key.level}/${key.index}`) ?? []));
  };
}

/** The stored text of the entry at leaf `index`, or undefined. */
export async function readEntry(
  db: Kysely<Database>,
  index: number,
): Promise<{ readonly seq: number; readonly resource: string } | undefined> {
  const row = await db
    .selectFrom('audit_event')
    .select(['seq', 'resource'])
    .where('seq', '=', index + 1)
    .executeTakeFirst();
  return row === undefined ? undefined : { seq: row.seq, resource: row.resource };
}
