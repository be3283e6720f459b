// Public face of the audit ledger: the log key, integrity, checkpoints, and the reads proofs are built from.
export { openLedger } from './open-ledger.js';
export type { Ledger, LedgerOptions } from './open-ledger.js';
export { startCheckpointer } from './start-checkpointer.js';
export type { CheckpointerOptions } from './start-checkpointer.js';
export { LOG_KEY_FILE, loadOrCreateLogKey } from './log-key.js';
export type { LogKey } from './log-key.js';
export type { IntegrityVerdict } from './check-integrity.js';
export {
  findCheckpoint,
  latestCheckpoint,
  listCheckpoints,
  listCosignatures,
  withCosignatures,
} from './checkpoint-repository.js';
export type { StoredCheckpoint, StoredCosignature } from './checkpoint-repository.js';
export { nodeReader, readEntry, readLogHead } from './ledger-reads.js';
export { acceptCosignature, listWitnesses, readWitnessKey, registerWitness } from './witnesses.js';
export type { Witness } from './witnesses.js';
