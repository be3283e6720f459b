// Why an export failed verification: one stable reason code per check, each with one fixed message.

/** Stable codes: tools read them from `--json`, so never rename one; add new ones instead. */
export type VerifyReason =
  | 'EXPORT_UNREADABLE'
  | 'MANIFEST_INVALID'
  | 'PATH_UNSAFE'
  | 'FILE_INVALID'
  | 'CHECKPOINT_INVALID'
  | 'CHECKPOINT_MISMATCH'
  | 'WITNESS_COSIGNATURE_INVALID'
  | 'ENTRY_NOT_CANONICAL'
  | 'ENTRY_MISMATCH'
  | 'ENTRY_NOT_INCLUDED'
  | 'ENTRY_MISSING'
  | 'ENTRY_EXTRA'
  | 'PROOF_INVALID'
  | 'ROOT_MISMATCH'
  | 'COUNT_MISMATCH'
  | 'CONSISTENCY_INVALID'
  | 'EARLIER_CHECKPOINT_INVALID'
  | 'EARLIER_CHECKPOINT_NEWER'
  | 'EARLIER_CHECKPOINT_INCONSISTENT'
  | 'EARLIER_CHECKPOINT_UNPROVEN'
  | 'INTERNAL';

export const VERIFY_REASON_MESSAGES: Readonly<Record<VerifyReason, string>> = {
  EXPORT_UNREADABLE: 'the export directory cannot be read',
  MANIFEST_INVALID: 'manifest.json is missing or not an audit export manifest',
  PATH_UNSAFE: 'the manifest names a file outside the export directory',
  FILE_INVALID: 'a file of the export is missing or malformed',
  CHECKPOINT_INVALID: 'the checkpoint is not signed by the log key',
  CHECKPOINT_MISMATCH: 'the checkpoint does not match the manifest (origin or tree size)',
  WITNESS_COSIGNATURE_INVALID: 'a witness has no valid cosignature on the checkpoint',
  ENTRY_NOT_CANONICAL: 'an entry line is not its own RFC 8785 canonical JSON',
  ENTRY_MISMATCH: "an entry does not hash to the log's leaf at its index",
  ENTRY_NOT_INCLUDED: 'an entry is not in the checkpoint tree at its index',
  ENTRY_MISSING: 'the export ends before the entries it should hold',
  ENTRY_EXTRA: 'the export holds more entries than the checkpoint tree',
  PROOF_INVALID: 'an inclusion proof line is malformed or out of order',
  ROOT_MISMATCH: 'the entries do not hash to the checkpoint root',
  COUNT_MISMATCH: 'the export holds a different number of entries than its manifest says',
  CONSISTENCY_INVALID: 'a consistency proof does not verify against the checkpoint',
  EARLIER_CHECKPOINT_INVALID: 'the earlier checkpoint is not a checkpoint of this log',
  EARLIER_CHECKPOINT_NEWER: 'the earlier checkpoint is larger than the export checkpoint',
  EARLIER_CHECKPOINT_INCONSISTENT:
    'the earlier checkpoint is not consistent with this log (split view)',
  EARLIER_CHECKPOINT_UNPROVEN: 'the export has no consistency proof from the earlier checkpoint',
  INTERNAL: 'the verifier failed unexpectedly',
};

export interface VerifyFailureOptions {
  readonly detail?: string | undefined;
  /** The leaf index of the first entry found bad, when the check knows it. */
  readonly firstBadIndex?: number | undefined;
  readonly cause?: unknown;
}

/** Thrown by a verification step; the pipeline turns it into `ok: false` with these fields. */
export class VerifyFailure extends Error {
  override readonly name = 'VerifyFailure';
  readonly reason: VerifyReason;
  readonly detail: string | undefined;
  readonly firstBadIndex: number | undefined;

  constructor(reason: VerifyReason, options: VerifyFailureOptions = {}) {
    super(VERIFY_REASON_MESSAGES[reason], { cause: options.cause });
    this.reason = reason;
    this.detail = options.detail;
    this.firstBadIndex = options.firstBadIndex;
  }
}
