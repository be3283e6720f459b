// What the storage contract needs from each engine: fresh databases and ways to degrade them.
import type { OpenStoreOptions, Store } from '../../../src/store/index.js';

export type HarnessOpenOptions = Pick<OpenStoreOptions, 'migrations'>;

export interface StoreHarness {
  /** Opens (and migrates) a store on this test's database; closed by `dispose`. */
  open(options?: HarnessOpenOptions): Promise<Store>;
  /** Opens a store on this test's database whose commits are not durable. */
  openWithWeakDurability(): Promise<Store>;
  /** Opens a store on this test's database that refuses writes. */
  openReadOnly(): Promise<Store>;
  /** The readiness check that `openWithWeakDurability` makes fail. */
  readonly durabilityCheck: string;
  /** Closes every store it opened and removes the database. */
  dispose(): Promise<void>;
}

export type HarnessFactory = () => Promise<StoreHarness>;

/** The current test's harness; each test gets a fresh one with a fresh database. */
export interface HarnessSlot {
  current(): StoreHarness;
}
