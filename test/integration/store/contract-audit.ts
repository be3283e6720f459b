// Contract: the audit trail appends in gapless seq order and the database refuses any change.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { canonicalJson, type JsonValue } from '../../../src/crypto/canonical-json.js';
import { StoreError } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/index.js';
import { buildAuditEvent } from './fixtures.js';
import type { HarnessSlot } from './store-harness.js';

const APPEND_ONLY = /audit_event is append-only/;

async function readRow(store: Store, seq: number): Promise<unknown> {
  return store.db.selectFrom('audit_event').selectAll().where('seq', '=', seq).executeTakeFirst();
}

export function defineAuditContract(slot: HarnessSlot): void {
  describe('audit trail', function () {
    it('stores the event and returns it with its seq', async function () {
      const store = await slot.current().open();
      const event = buildAuditEvent();
      const record = await store.audit.append(event);
      assert.deepEqual(record, { seq: 1, event });
      assert.deepEqual(await store.audit.list(), [{ seq: 1, event }]);
      const row = await store.db
        .selectFrom('audit_event')
        .selectAll()
        .where('seq', '=', 1)
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, {
        seq: 1,
        id: event.id,
        recorded: '2025-03-01T10:00:00.000Z',
        type_code: 'rest',
        subtype_code: 'create',
        action: 'C',
        outcome: '0',
        agent_who: 'Organization/police-1',
        entity_what: 'Task/referral-1',
        resource: canonicalJson(event as unknown as JsonValue),
      });
    });

    it('assigns strictly increasing seq from 1 and lists in that order', async function () {
      const store = await slot.current().open();
      const seqs: number[] = [];
      for (let index = 0; index < 5; index += 1) {
        seqs.push((await store.audit.append(buildAuditEvent())).seq);
      }
      assert.deepEqual(seqs, [1, 2, 3, 4, 5]);
      const listed = await store.audit.list();
      assert.deepEqual(
        listed.map((record) => record.seq),
        [1, 2, 3, 4, 5],
      );
      assert.equal(await store.audit.count(), 5);
    });

    it('pages with afterSeq and limit', async function () {
      const store = await slot.current().open();
      for (let index = 0; index < 5; index += 1) {
        await store.audit.append(buildAuditEvent());
      }
      const page = await store.audit.list({ afterSeq: 2, limit: 2 });
      assert.deepEqual(
        page.map((record) => record.seq),
        [3, 4],
      );
      assert.deepEqual(await store.audit.list({ afterSeq: 5 }), []);
    });

    it('rejects a limit outside 1 to 1000', async function () {
      const store = await slot.current().open();
      for (const limit of [0, -1, 1.5, 1001]) {
        await assert.rejects(store.audit.list({ limit }), {
          code: 'ENLACE_STORE_INVALID_ARGUMENT',
        });
      }
    });

    it('gives concurrent appends distinct, gapless seq', async function () {
      const store = await slot.current().open();
      const records = await Promise.all(
        Array.from({ length: 20 }, () => store.audit.append(buildAuditEvent())),
      );
      const seqs = records.map((record) => record.seq).sort((a, b) => a - b);
      assert.deepEqual(
        seqs,
        Array.from({ length: 20 }, (_, index) => index + 1),
      );
    });

    it('leaves no gap in seq when an append is rolled back', async function () {
      const store = await slot.current().open();
      await store.audit.append(buildAuditEvent());
      await assert.rejects(
        store.transaction(async (unit) => {
          await unit.audit.append(buildAuditEvent());
          throw new Error('abandon');
        }),
        /abandon/,
      );
      const next = await store.audit.append(buildAuditEvent());
      assert.equal(next.seq, 2);
    });

    it('refuses an event without an id', async function () {
      const store = await slot.current().open();
      const withoutId = buildAuditEvent();
      delete withoutId.id;
      await assert.rejects(store.audit.append(withoutId), (error) => {
        assert.ok(error instanceof StoreError);
        assert.equal(error.code, 'ENLACE_STORE_INVALID_ARGUMENT');
        return true;
      });
      assert.equal(await store.audit.count(), 0);
    });

    it('refuses a second record with the same id and keeps seq gapless', async function () {
      const store = await slot.current().open();
      const event = buildAuditEvent();
      await store.audit.append(event);
      await assert.rejects(store.audit.append({ ...event }));
      assert.equal(await store.audit.count(), 1);
      assert.equal((await store.audit.append(buildAuditEvent())).seq, 2);
    });

    it('refuses UPDATE on an audit record', async function () {
      const store = await slot.current().open();
      await store.audit.append(buildAuditEvent());
      const before = await readRow(store, 1);
      await assert.rejects(
        sql`UPDATE audit_event SET action = 'D', resource = '{}' WHERE seq = 1`.execute(store.db),
        APPEND_ONLY,
      );
      assert.deepEqual(await readRow(store, 1), before);
    });

    it('refuses DELETE of an audit record', async function () {
      const store = await slot.current().open();
      await store.audit.append(buildAuditEvent());
      const before = await readRow(store, 1);
      await assert.rejects(
        sql`DELETE FROM audit_event WHERE seq = 1`.execute(store.db),
        APPEND_ONLY,
      );
      assert.deepEqual(await readRow(store, 1), before);
    });

    it('refuses emptying the trail (TRUNCATE on PostgreSQL, unqualified DELETE on SQLite)', async function () {
      const store = await slot.current().open();
      await store.audit.append(buildAuditEvent());
      await store.audit.append(buildAuditEvent());
      const emptying =
        store.dialect === 'postgres' ? sql`TRUNCATE audit_event` : sql`DELETE FROM audit_event`;
      await assert.rejects(emptying.execute(store.db), APPEND_ONLY);
      assert.equal(await store.audit.count(), 2);
    });

    it('refuses overwriting an audit record through an upsert or REPLACE', async function () {
      const store = await slot.current().open();
      const { id } = await store.audit.append(buildAuditEvent()).then((record) => record.event);
      const before = await readRow(store, 1);
      await assert.rejects(
        sql`
          INSERT INTO audit_event (seq, id, recorded, resource)
          VALUES (1, ${id ?? ''}, '2025-01-01T00:00:00.000Z', '{}')
          ON CONFLICT (seq) DO UPDATE SET resource = excluded.resource
        `.execute(store.db),
        APPEND_ONLY,
      );
      if (store.dialect === 'sqlite') {
        await assert.rejects(
          sql`
            INSERT OR REPLACE INTO audit_event (seq, id, recorded, resource)
            VALUES (1, 'forged', '2025-01-01T00:00:00.000Z', '{}')
          `.execute(store.db),
          APPEND_ONLY,
        );
      }
      assert.deepEqual(await readRow(store, 1), before);
    });
  });
}
