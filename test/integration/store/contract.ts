// The storage contract: one suite every adapter must pass, run per engine by store.test.ts.
import { defineAuditContract } from './contract-audit.js';
import { defineLedgerContract, defineLedgerUpgradeContract } from './contract-ledger.js';
import { defineKvContract } from './contract-kv.js';
import { defineMigrationContract } from './contract-migrations.js';
import { defineReadinessContract } from './contract-readiness.js';
import { defineTransactionContract } from './contract-transaction.js';
import type { HarnessFactory, HarnessSlot, StoreHarness } from './store-harness.js';

export type { HarnessFactory, StoreHarness } from './store-harness.js';

export function defineStoreContract(name: string, factory: HarnessFactory): void {
  describe(`${name} store contract`, function () {
    let harness: StoreHarness | undefined;
    const slot: HarnessSlot = {
      current() {
        if (harness === undefined) {
          throw new Error('the store harness is not ready');
        }
        return harness;
      },
    };

    beforeEach(async function () {
      harness = await factory();
    });

    afterEach(async function () {
      await harness?.dispose();
      harness = undefined;
    });

    defineMigrationContract(slot);
    defineAuditContract(slot);
    defineLedgerContract(slot);
    defineLedgerUpgradeContract(slot);
    defineKvContract(slot);
    defineTransactionContract(slot);
    defineReadinessContract(slot);
  });
}
