// Public face of the offline audit export verifier behind `enlace audit verify`.
export { verifyExport } from './verify-export.js';
export { formatVerifySummary } from './format-summary.js';
export { VERIFY_REASON_MESSAGES, VerifyFailure } from './verify-failure.js';
export type { VerifyReason } from './verify-failure.js';
export type {
  EarlierResult,
  VerifyExportOptions,
  VerifyExportResult,
  WitnessResult,
} from './verify-types.js';
