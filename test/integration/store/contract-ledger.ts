// Contract: every append advances the Merkle log in the same transaction, and its tables refuse any change.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { leafHashOfStored } from '../../../src/audit/ledger-entry.js';
import {
  compactRangeRoot,
  nodeHash,
  rootAt,
  type NodeKey,
} from '../../../src/audit/merkle/index.js';
import { enlaceMigrations, migrateStore, type Store } from '../../../src/store/index.js';
import { decodeFrontier } from '../../../src/store/shared/frontier.js';
import { buildAuditEvent } from './fixtures.js';
import type { HarnessSlot } from './store-harness.js';

/** Reads complete-subtree hashes from the node table, as the proof routes do. */
const nodeReader =
  (store: Store) =>
  async (keys: readonly NodeKey[]): Promise<Uint8Array[]> => {
    const hashes: Uint8Array[] = [];
    for (const key of keys) {
      const row = await store.db
        .selectFrom('audit_tree_node')
        .select('hash')
        .where('level', '=', key.level)
        .where('idx', '=', key.index)
        .executeTakeFirstOrThrow();
      hashes.push(new Uint8Array(row.hash));
    }
    return hashes;
  };

/** The RFC 9162 root straight from the stored rows, with no help from the node table. */
async function rootOfRows(store: Store): Promise<Uint8Array> {
  const rows = await store.db.selectFrom('audit_event').select('resource').orderBy('seq').execute();
  const leaves = rows.map((row) => leafHashOfStored(row.resource));
  const reduce = (hashes: Uint8Array[]): Uint8Array => {
    if (hashes.length === 1) return hashes[0] as Uint8Array;
    let split = 1;
    while (split * 2 < hashes.length) split *= 2;
    return nodeHash(reduce(hashes.slice(0, split)), reduce(hashes.slice(split)));
  };
  return reduce(leaves);
}

export function defineLedgerContract(slot: HarnessSlot): void {
  describe('audit ledger', function () {
    it('keeps the node table and the frontier in step with the rows, append by append', async function () {
      const store = await slot.current().open();
      for (let size = 1; size <= 13; size += 1) {
        await store.audit.append(buildAuditEvent());
        const expected = await rootOfRows(store);
        assert.deepEqual(await rootAt(size, nodeReader(store)), expected, `node root at ${size}`);
        const row = await store.db
          .selectFrom('audit_sequence')
          .select(['last_seq', 'frontier'])
          .executeTakeFirstOrThrow();
        assert.equal(row.last_seq, size);
        assert.deepEqual(compactRangeRoot(decodeFrontier(size, row.frontier)), expected);
      }
    });

    it('keeps the tree and the frontier exact when one unit of work appends several events', async function () {
      const store = await slot.current().open();
      let size = 0;
      // Units of 1 to 5 appends (some issued without awaiting the previous one), between single appends.
      for (const appends of [3, 1, 5, 2, 4]) {
        const seqs = await store.transaction(async (unit) => {
          const first = await unit.audit.append(buildAuditEvent());
          const rest = await Promise.all(
            Array.from({ length: appends - 1 }, () => unit.audit.append(buildAuditEvent())),
          );
          assert.equal(await unit.audit.count(), size + appends);
          return [first, ...rest].map((record) => record.seq);
        });
        assert.deepEqual(
          seqs,
          Array.from({ length: appends }, (_, i) => size + i + 1),
        );
        await store.audit.append(buildAuditEvent());
        size += appends + 1;
        const expected = await rootOfRows(store);
        assert.deepEqual(await rootAt(size, nodeReader(store)), expected, `node root at ${size}`);
        const row = await store.db
          .selectFrom('audit_sequence')
          .select(['last_seq', 'frontier'])
          .executeTakeFirstOrThrow();
        assert.equal(row.last_seq, size);
        assert.deepEqual(compactRangeRoot(decodeFrontier(size, row.frontier)), expected);
      }
    });

    it('indexes agents, entities and her pseudonym for search', async function () {
      const store = await slot.current().open();
      const { seq } = await store.audit.append(buildAuditEvent());
      const refs = await store.db
        .selectFrom('audit_event_ref')
        .select(['kind', 'value'])
        .where('seq', '=', seq)
        .orderBy('kind')
        .orderBy('value')
        .execute();
      assert.deepEqual(refs, [
        { kind: 'agent', value: 'Organization/police-1' },
        { kind: 'entity', value: 'Task/referral-1' },
      ]);
    });

    it('leaves no leaf or node behind when the append is rolled back', async function () {
      const store = await slot.current().open();
      await store.audit.append(buildAuditEvent());
      await assert.rejects(
        store.transaction(async (unit) => {
          await unit.audit.append(buildAuditEvent());
          throw new Error('business step failed');
        }),
        /business step failed/,
      );
      const { count } = await store.db
        .selectFrom('audit_tree_node')
        .select((eb) => eb.fn.countAll().as('count'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(count), 1);
      await store.audit.append(buildAuditEvent());
      assert.deepEqual(await rootAt(2, nodeReader(store)), await rootOfRows(store));
    });

    for (const table of ['audit_tree_node', 'audit_event_ref'] as const) {
      it(`refuses UPDATE and DELETE on ${table}`, async function () {
        const store = await slot.current().open();
        await store.audit.append(buildAuditEvent());
        const refused = new RegExp(`${table} is append-only`);
        const column = table === 'audit_tree_node' ? sql`level = level` : sql`value = value`;
        await assert.rejects(
          sql`UPDATE ${sql.table(table)} SET ${column}`.execute(store.db),
          refused,
        );
        await assert.rejects(sql`DELETE FROM ${sql.table(table)}`.execute(store.db), refused);
      });
    }
  });
}

/** A trail written before the ledger existed (JSON.stringify rows, no tree) gets its tree on upgrade. */
export function defineLedgerUpgradeContract(slot: HarnessSlot): void {
  describe('audit ledger upgrade', function () {
    it('builds the tree, the frontier and the search keys of a trail recorded before migration 0009', async function () {
      const before = enlaceMigrations.filter((migration) => migration.name < '0009');
      const store = await slot.current().open({ migrations: before });
      const events = [buildAuditEvent(), buildAuditEvent(), buildAuditEvent()];
      for (const [i, event] of events.entries()) {
        await store.db
          .insertInto('audit_event')
          .values({
            seq: i + 1,
            id: event.id ?? '',
            recorded: event.recorded,
            type_code: 'rest',
            subtype_code: null,
            action: 'C',
            outcome: '0',
            agent_who: null,
            entity_what: null,
            resource: JSON.stringify(event),
          })
          .execute();
      }
      await sql`UPDATE audit_sequence SET last_seq = 3`.execute(store.db);
      await migrateStore(store);
      const expected = await rootOfRows(store);
      assert.deepEqual(await rootAt(3, nodeReader(store)), expected);
      const row = await store.db
        .selectFrom('audit_sequence')
        .select('frontier')
        .executeTakeFirstOrThrow();
      assert.deepEqual(compactRangeRoot(decodeFrontier(3, row.frontier)), expected);
      await store.audit.append(buildAuditEvent());
      assert.deepEqual(await rootAt(4, nodeReader(store)), await rootOfRows(store));
      const refs = await store.db.selectFrom('audit_event_ref').select('seq').execute();
      assert.equal(refs.length, 8);
    });
  });
}
