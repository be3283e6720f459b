// What the offline verifier is given and what it answers.
import type { NoteVerifier } from '../note/index.js';
import type { VerifyReason } from './verify-failure.js';

export interface VerifyExportOptions {
  /** The log's own key (signed-note type 0x01), as the auditor obtained it out of band. */
  readonly logKey: NoteVerifier;
  /** Witness keys (cosignature/v1, type 0x04): each must have cosigned the export's checkpoint. */
  readonly witnessKeys?: readonly NoteVerifier[];
  /** A checkpoint note the auditor kept from earlier, signed by the same log key. */
  readonly earlierCheckpoint?: string | Uint8Array;
  /** Called now and then while entries are checked, and once at the end of them. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface WitnessResult {
  readonly name: string;
  readonly ok: boolean;
  /** Why not ok: no cosignature line for this key, or one that does not verify. */
  readonly problem?: 'missing' | 'invalid';
  /** Seconds since the Epoch at which the witness cosigned, when ok. */
  readonly timestamp?: number;
  /** Present when the witness cosigned the earlier checkpoint (this size), not the export's own. */
  readonly size?: number;
}

export interface EarlierResult {
  readonly size: number;
  /** True only once the earlier checkpoint is proven a prefix of the export's tree. */
  readonly ok: boolean;
}

export interface VerifyExportResult {
  readonly ok: boolean;
  readonly reason?: VerifyReason;
  /** The fixed text of `reason`. */
  readonly message?: string;
  /** Which file, line or field, when known. */
  readonly detail?: string;
  readonly firstBadIndex?: number;
  /** Entries checked and found good. */
  readonly entries: number;
  /** From the signed checkpoint once it verified, until then the manifest's claim (if any). */
  readonly treeSize?: number;
  readonly origin?: string;
  /** The checkpoint's root hash, base64, once the checkpoint verified. */
  readonly root?: string;
  readonly complete?: boolean;
  readonly witnesses: readonly WitnessResult[];
  readonly earlier?: EarlierResult;
}
