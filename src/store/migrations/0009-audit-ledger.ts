// Migration 0009: the audit ledger — Merkle tree nodes, the log's frontier, search keys, checkpoints, cosignatures, witnesses.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { AuditEvent } from '@medplum/fhirtypes';
import {
  appendLeaf,
  compactRangeFrom,
  EMPTY_RANGE,
  type CompactRange,
} from '../../audit/merkle/index.js';
import { ledgerRefs, leafHashOfStored } from '../../audit/ledger-entry.js';
import type { Dialect } from '../ports.js';
import { encodeFrontier } from '../shared/frontier.js';
import type { StoreMigration } from './store-migration.js';

const BATCH = 500;

/** The tables as this migration writes them; frozen here so later schema changes cannot alter it. */
type LedgerTables = {
  audit_event: { seq: number; resource: string };
  audit_sequence: { id: number; last_seq: number; frontier: string };
  audit_tree_node: { level: number; idx: number; hash: Uint8Array };
  audit_event_ref: { kind: string; value: string; seq: number };
};

async function createTables(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bigint = dialect === 'sqlite' ? 'integer' : 'bigint';
  const bytes = dialect === 'sqlite' ? 'blob' : 'bytea';
  // Node (level, idx) is the root of the complete subtree over leaves [idx·2^level, (idx+1)·2^level).
  await db.schema
    .createTable('audit_tree_node')
    .addColumn('level', 'integer', (column) => column.notNull())
    .addColumn('idx', bigint, (column) => column.notNull())
    .addColumn('hash', bytes, (column) => column.notNull())
    .addPrimaryKeyConstraint('audit_tree_node_pk', ['level', 'idx'])
    .execute();
  // Why partial: auditors find an entry's index by its leaf hash; interior nodes are never looked up so.
  await sql`CREATE INDEX audit_tree_leaf_hash ON audit_tree_node (hash) WHERE level = 0`.execute(
    db,
  );
  // The compact range of the whole log (at most 64 hashes), kept with the counter it matches.
  await db.schema
    .alterTable('audit_sequence')
    .addColumn('frontier', 'text', (column) => column.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .createTable('audit_event_ref')
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('seq', bigint, (column) => column.notNull())
    .addPrimaryKeyConstraint('audit_event_ref_pk', ['kind', 'value', 'seq'])
    .execute();
  for (const column of ['recorded', 'type_code', 'subtype_code', 'action', 'outcome'] as const) {
    await db.schema
      .createIndex(`audit_event_${column}`)
      .on('audit_event')
      .columns([column, 'seq'])
      .execute();
  }
  await db.schema
    .createTable('audit_checkpoint')
    .addColumn('size', bigint, (column) => column.primaryKey())
    .addColumn('root', bytes, (column) => column.notNull())
    .addColumn('note', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('audit_cosignature')
    .addColumn('size', bigint, (column) => column.notNull().references('audit_checkpoint.size'))
    .addColumn('witness', 'text', (column) => column.notNull())
    .addColumn('line', 'text', (column) => column.notNull())
    .addColumn('cosigned_at', bigint, (column) => column.notNull())
    .addColumn('received_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('audit_cosignature_pk', ['size', 'witness'])
    .execute();
  await db.schema
    .createTable('audit_witness')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('verifier_key', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
}

const APPEND_ONLY = ['audit_tree_node', 'audit_event_ref', 'audit_checkpoint', 'audit_cosignature'];

// Why: like audit_event, what proves the log is evidence; the database refuses to rewrite it.
async function createAppendOnlyTriggers(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') {
    await sql`
      CREATE FUNCTION enlace_refuse_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
      END
      $$
    `.execute(db);
  }
  for (const table of APPEND_ONLY) {
    if (dialect === 'sqlite') {
      for (const operation of ['UPDATE', 'DELETE'] as const) {
        await sql`
          CREATE TRIGGER ${sql.id(`${table}_refuse_${operation.toLowerCase()}`)}
          BEFORE ${sql.raw(operation)} ON ${sql.id(table)}
          BEGIN SELECT RAISE(ABORT, ${sql.lit(`${table} is append-only`)}); END
        `.execute(db);
      }
    } else {
      await sql`
        CREATE TRIGGER ${sql.id(`${table}_refuse_update_delete`)}
        BEFORE UPDATE OR DELETE ON ${sql.id(table)}
        FOR EACH ROW EXECUTE FUNCTION enlace_refuse_ledger_change()
      `.execute(db);
      await sql`
        CREATE TRIGGER ${sql.id(`${table}_refuse_truncate`)}
        BEFORE TRUNCATE ON ${sql.id(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION enlace_refuse_ledger_change()
      `.execute(db);
    }
  }
}

/** Builds the tree and the search keys of the events recorded before the ledger existed. */
async function backfill(db: Kysely<LedgerTables>): Promise<void> {
  let range: CompactRange = EMPTY_RANGE;
  for (let afterSeq = 0; ;) {
    const rows = await db
      .selectFrom('audit_event')
      .select(['seq', 'resource'])
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) break;
    const nodes: LedgerTables['audit_tree_node'][] = [];
    const refs: LedgerTables['audit_event_ref'][] = [];
    for (const row of rows) {
      const seq = row.seq;
      if (seq !== range.size + 1) throw new Error(`audit_event has a gap before seq ${seq}`);
      const appended = appendLeaf(range, leafHashOfStored(row.resource));
      range = appended.range;
      nodes.push(
        ...appended.completed.map(({ level, index, hash }) => ({ level, idx: index, hash })),
      );
      for (const ref of ledgerRefs(JSON.parse(row.resource) as AuditEvent))
        refs.push({ ...ref, seq });
      afterSeq = seq;
    }
    await db.insertInto('audit_tree_node').values(nodes).execute();
    if (refs.length > 0) await db.insertInto('audit_event_ref').values(refs).execute();
  }
  await db
    .updateTable('audit_sequence')
    .set({ frontier: encodeFrontier(compactRangeFrom(range.size, range.hashes)) })
    .where('id', '=', 1)
    .execute();
}

export const auditLedger: StoreMigration = {
  name: '0009-audit-ledger',
  async up(db, dialect) {
    await createTables(db, dialect);
    await createAppendOnlyTriggers(db, dialect);
    await backfill(db.withTables<LedgerTables>());
  },
};
