// The audit ledger of one gateway process: its log key, its integrity verdict, checkpoints on demand.
import type { Store } from '../../store/index.js';
import { checkLogIntegrity, type IntegrityVerdict } from './check-integrity.js';
import { createCheckpoint } from './create-checkpoint.js';
import type { StoredCheckpoint } from './checkpoint-repository.js';
import { readLogHead } from './ledger-reads.js';
import { loadOrCreateLogKey, type LogKey } from './log-key.js';
import { scanLog } from './scan-log.js';

export interface LedgerOptions {
  readonly store: Pick<Store, 'db'>;
  readonly dataDir: string;
  /** The origin of a new log; an existing log keeps its own unless `originConfigured`. */
  readonly origin: string;
  readonly originConfigured?: boolean;
  readonly clock: () => Date;
}

export interface Ledger {
  readonly origin: string;
  readonly logKey: LogKey;
  /** The latest verdict: the start-up check's, or the full scan's once it found a fault. */
  integrity(): IntegrityVerdict;
  /** Signs a checkpoint of the committed log if it grew; refused while integrity has failed. */
  checkpoint(): Promise<StoredCheckpoint | undefined>;
  /** Hashes every entry again (see scan-log.ts); a failure turns the verdict and readiness. */
  scan(onBatch?: (done: number) => void): Promise<IntegrityVerdict>;
}

export async function openLedger(options: LedgerOptions): Promise<Ledger> {
  const { db } = options.store;
  const logKey = await loadOrCreateLogKey(
    options.dataDir,
    options.origin,
    options.originConfigured ?? true,
  );
  // The log's origin is its key's name: fixed when the log was created.
  const origin = logKey.signer.name;
  let verdict = await checkLogIntegrity({ db, logKey, dataDir: options.dataDir });
  return {
    origin,
    logKey,
    integrity: () => verdict,
    async checkpoint() {
      // Why refuse: signing a checkpoint over a log found altered would bless the alteration.
      if (!verdict.ok) return undefined;
      return createCheckpoint({ db, logKey, ...options, origin });
    },
    async scan(onBatch) {
      if (!verdict.ok) return verdict;
      const { size } = await readLogHead(db);
      const scanned = await scanLog(db, size, onBatch);
      if (!scanned.ok) verdict = scanned;
      return scanned;
    },
  };
}
