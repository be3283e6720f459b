// Public face of audit proofs: inclusion and consistency proofs from the stored log, and their query readers.
export { proveConsistency, proveInclusion } from './build-proofs.js';
export type { ConsistencyAnswer, InclusionAnswer } from './build-proofs.js';
export { readCount, requireCount } from './read-proof-query.js';
