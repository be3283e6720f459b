// Contract: a unit of work commits every write together or none of them.
import assert from 'node:assert/strict';
import { buildAuditEvent } from './fixtures.js';
import type { HarnessSlot } from './store-harness.js';

const NOW = new Date('2025-03-01T10:00:00.000Z');
const LATER = new Date('2025-03-01T10:05:00.000Z');

export function defineTransactionContract(slot: HarnessSlot): void {
  describe('transactions', function () {
    it('commits audit and key-value writes together and returns the result', async function () {
      const store = await slot.current().open();
      const result = await store.transaction(async (unit) => {
        const first = await unit.audit.append(buildAuditEvent());
        const second = await unit.audit.append(buildAuditEvent());
        const stored = await unit.kv.putIfAbsent('jti:t', 'v', LATER, NOW);
        assert.equal(await unit.audit.count(), 2);
        return { seqs: [first.seq, second.seq], stored };
      });
      assert.deepEqual(result, { seqs: [1, 2], stored: true });
      assert.equal(await store.audit.count(), 2);
      assert.equal(await store.kv.get('jti:t', NOW), 'v');
    });

    it('rolls back every write when the work throws, and surfaces the error', async function () {
      const store = await slot.current().open();
      await store.audit.append(buildAuditEvent());
      const failure = new Error('consent denied halfway');
      await assert.rejects(
        store.transaction(async (unit) => {
          await unit.audit.append(buildAuditEvent());
          await unit.kv.putIfAbsent('jti:t', 'v', LATER, NOW);
          await unit.db.insertInto('readiness_probe').values({ id: 1, checked_at: 1 }).execute();
          throw failure;
        }),
        (error) => error === failure,
      );
      assert.equal(await store.audit.count(), 1);
      assert.equal(await store.kv.get('jti:t', NOW), undefined);
      assert.equal(
        await store.db.selectFrom('readiness_probe').select('id').executeTakeFirst(),
        undefined,
      );
    });
  });
}
