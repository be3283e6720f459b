// Contract: putIfAbsent lets exactly one caller win per live key, across callers and instances.
import assert from 'node:assert/strict';
import type { HarnessSlot } from './store-harness.js';

const T0 = new Date('2025-03-01T10:00:00.000Z');

function at(secondsAfterT0: number): Date {
  return new Date(T0.getTime() + secondsAfterT0 * 1000);
}

function countTrue(results: readonly boolean[]): number {
  return results.filter(Boolean).length;
}

export function defineKvContract(slot: HarnessSlot): void {
  describe('expiring store', function () {
    it('stores a new key and refuses a duplicate while it lives', async function () {
      const { kv } = await slot.current().open();
      assert.equal(await kv.putIfAbsent('jti:a', 'first', at(300), T0), true);
      assert.equal(await kv.putIfAbsent('jti:a', 'second', at(300), at(10)), false);
      assert.equal(await kv.get('jti:a', at(10)), 'first');
    });

    it('treats an entry as expired from its expiry instant on', async function () {
      const { kv } = await slot.current().open();
      await kv.putIfAbsent('jti:a', 'first', at(300), T0);
      assert.equal(await kv.get('jti:a', at(299)), 'first');
      assert.equal(await kv.get('jti:a', at(300)), undefined);
      assert.equal(await kv.get('jti:missing', T0), undefined);
    });

    it('stores the key again once the earlier entry expired', async function () {
      const { kv } = await slot.current().open();
      await kv.putIfAbsent('jti:a', 'first', at(300), T0);
      assert.equal(await kv.putIfAbsent('jti:a', 'second', at(900), at(300)), true);
      assert.equal(await kv.get('jti:a', at(301)), 'second');
      assert.equal(await kv.putIfAbsent('jti:a', 'third', at(900), at(301)), false);
    });

    it('lets exactly one of 20 concurrent callers store the same key', async function () {
      const { kv } = await slot.current().open();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          kv.putIfAbsent('jti:race', `v${index}`, at(300), T0),
        ),
      );
      assert.equal(countTrue(results), 1);
    });

    it('lets exactly one caller take over an expired key under concurrency', async function () {
      const { kv } = await slot.current().open();
      await kv.putIfAbsent('jti:race', 'old', at(60), T0);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          kv.putIfAbsent('jti:race', `v${index}`, at(900), at(120)),
        ),
      );
      assert.equal(countTrue(results), 1);
    });

    it('lets exactly one caller win across two instances sharing the database', async function () {
      const harness = slot.current();
      const first = await harness.open();
      const second = await harness.open();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          (index % 2 === 0 ? first : second).kv.putIfAbsent('jti:shared', `v${index}`, at(300), T0),
        ),
      );
      assert.equal(countTrue(results), 1);
      assert.equal(await second.kv.get('jti:shared', T0), await first.kv.get('jti:shared', T0));
    });

    it('purges only expired entries and reports how many', async function () {
      const { kv, db } = await slot.current().open();
      await kv.putIfAbsent('a', '1', at(60), T0);
      await kv.putIfAbsent('b', '2', at(120), T0);
      await kv.putIfAbsent('c', '3', at(600), T0);
      assert.equal(await kv.purgeExpired(at(120)), 2);
      assert.equal(await kv.purgeExpired(at(120)), 0);
      const keys = await db.selectFrom('kv_entry').select('key').execute();
      assert.deepEqual(
        keys.map((row) => row.key),
        ['c'],
      );
    });

    it('refuses an entry that would already be expired', async function () {
      const { kv } = await slot.current().open();
      await assert.rejects(kv.putIfAbsent('k', 'v', T0, T0), {
        code: 'ENLACE_STORE_INVALID_ARGUMENT',
      });
      await assert.rejects(kv.putIfAbsent('k', 'v', new Date(Number.NaN), T0), {
        code: 'ENLACE_STORE_INVALID_ARGUMENT',
      });
      assert.equal(await kv.get('k', at(-10)), undefined);
    });

    it('returns expiry times as numbers of epoch milliseconds', async function () {
      const { kv, db } = await slot.current().open();
      await kv.putIfAbsent('k', 'v', at(300), T0);
      const row = await db.selectFrom('kv_entry').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.expires_at, at(300).getTime());
    });
  });
}
