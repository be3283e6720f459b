// Contract: readiness passes on a healthy database and names the check that fails otherwise.
import assert from 'node:assert/strict';
import type { HarnessSlot } from './store-harness.js';

export function defineReadinessContract(slot: HarnessSlot): void {
  describe('readiness', function () {
    it('reports ready on a healthy, durable database', async function () {
      const store = await slot.current().open();
      const report = await store.checkReady();
      assert.equal(report.ok, true, JSON.stringify(report));
      assert.ok(Object.keys(report.checks).includes('writable'));
      for (const [name, check] of Object.entries(report.checks)) {
        assert.deepEqual(check, { ok: true }, name);
      }
    });

    it('reports not ready when commits are not durable', async function () {
      const harness = slot.current();
      const store = await harness.openWithWeakDurability();
      const report = await store.checkReady();
      assert.equal(report.ok, false);
      const check = report.checks[harness.durabilityCheck];
      assert.equal(check?.ok, false);
      assert.match(check.detail ?? '', /required/);
      assert.equal(report.checks['writable']?.ok, true);
    });

    it('reports a refused write as a failing check without SQL in the detail', async function () {
      const store = await slot.current().openReadOnly();
      const report = await store.checkReady();
      assert.equal(report.ok, false);
      const check = report.checks['writable'];
      assert.equal(check?.ok, false);
      assert.match(check.detail ?? '', /^the database refused the check/);
      assert.doesNotMatch(check.detail ?? '', /readiness_probe|insert|select/i);
    });
  });
}
