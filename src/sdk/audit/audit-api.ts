// The audit log from a partner's side: a checkpoint verified with the log key, and inclusion and consistency proofs checked locally.
import type { AuditEvent } from '@medplum/fhirtypes';
import {
  leafHash as hashLeaf,
  verifyConsistency,
  verifyInclusion,
} from '../../audit/merkle/index.js';
import {
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  type NoteVerifier,
} from '../../audit/note/index.js';
import { canonicalJsonBytes, type JsonValue } from '../../crypto/index.js';
import { EnlaceVerificationError } from '../errors.js';
import { exportAuditLog, type AuditExport, type AuditExportOptions } from './export-audit-log.js';
import type { Session } from '../session.js';
import { unwrap } from '../transport/read-failure.js';

export interface VerifiedCheckpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** The signed note as served, to keep: a later checkpoint must be consistent with it. */
  readonly note: string;
  /** Names of the given witness keys whose cosignatures hold. */
  readonly cosignedBy: readonly string[];
}

/** Which entry: the AuditEvent itself (its leaf hash is computed here), its leaf hash, or its index. */
export type LogEntry =
  | { readonly auditEvent: AuditEvent }
  | { readonly leafHash: Uint8Array }
  | { readonly index: number };

export interface AuditOptions {
  /** The log's verifier key (`origin+keyid+base64`) from a channel you trust; else GET /audit/log-key. */
  readonly logKey?: string;
  /** Witnesses' verifier keys whose cosignatures a checkpoint must carry. */
  readonly witnessKeys?: readonly string[];
}

export interface AuditApi {
  /** `GET /audit/checkpoint`, its signature checked with the log key (and the witnesses'). */
  checkpoint(): Promise<VerifiedCheckpoint>;
  /** Proves the entry is in the tree of `checkpoint` (an auditor's or oversight body's token). */
  proveInclusion(
    entry: LogEntry,
    checkpoint: VerifiedCheckpoint,
  ): Promise<{ index: number; leafHash: Uint8Array }>;
  /** Proves `newer` extends `older`: nothing recorded before was changed or removed. */
  proveConsistency(older: VerifiedCheckpoint, newer: VerifiedCheckpoint): Promise<void>;
  /**
   * `POST /fhir/AuditEvent/$export` (the whole log, or filtered), polled with backoff until
   * complete, every file the manifest names streamed into `options.into` (an oversight body's
   * token). The directory is what `enlace audit verify` checks offline.
   */
  export(options: AuditExportOptions): Promise<AuditExport>;
  /** The log's verifier key text: the one given in the options, else `GET /audit/log-key`. */
  logKey(): Promise<string>;
}

const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** RFC 9162 leaf hash of an AuditEvent: SHA-256(0x00 ‖ RFC 8785 JSON), as the ledger hashes it. */
export const auditEventLeafHash = (event: AuditEvent): Uint8Array =>
  hashLeaf(canonicalJsonBytes(event as unknown as JsonValue));

export function createAuditApi(session: Session, options: AuditOptions = {}): AuditApi {
  const { http } = session;
  const witnesses = (options.witnessKeys ?? []).map(parseVerifierKey);
  let logKeyText: Promise<string> | undefined;
  const logKey = () =>
    (logKeyText ??= (async () =>
      (
        options.logKey ?? unwrap(await http.open.GET('/audit/log-key', { parseAs: 'text' }))
      ).trim())());
  let verifierKey: Promise<NoteVerifier> | undefined;
  const verifier = () => (verifierKey ??= logKey().then(parseVerifierKey));
  return {
    export: (exportOptions) => exportAuditLog(http, exportOptions),
    logKey,
    checkpoint: async () => {
      const note = unwrap(await http.open.GET('/audit/checkpoint', { parseAs: 'text' }));
      const key = await verifier();
      try {
        const opened = openNote(note, [key, ...witnesses]);
        const checkpoint = parseCheckpoint(opened.text);
        if (checkpoint.origin !== key.name) throw new Error('the checkpoint is of another log');
        const cosignedBy = opened.verifiedBy.filter((name) => name !== key.name);
        if (!opened.verifiedBy.includes(key.name)) throw new Error('not signed by the log key');
        // Why every witness: a checkpoint they did not cosign may be a view shown only to us.
        if (witnesses.some((witness) => !cosignedBy.includes(witness.name))) {
          throw new Error('a witness did not cosign it');
        }
        return {
          origin: checkpoint.origin,
          size: checkpoint.size,
          rootHash: checkpoint.rootHash,
          note,
          cosignedBy,
        };
      } catch (cause) {
        throw new EnlaceVerificationError('audit-checkpoint', { cause });
      }
    },
    proveInclusion: async (entry, checkpoint) => {
      const expected =
        'auditEvent' in entry
          ? auditEventLeafHash(entry.auditEvent)
          : 'leafHash' in entry
            ? entry.leafHash
            : undefined;
      const answer = unwrap(
        await http.api.GET('/audit/proof/inclusion', {
          params: {
            query: {
              size: checkpoint.size,
              ...('index' in entry
                ? { index: entry.index }
                : { leaf_hash: toBase64(expected ?? new Uint8Array()) }),
            },
          },
        }),
      );
      const leaf = fromBase64(answer.leafHash);
      const proof = answer.proof.map(fromBase64);
      const matches = expected === undefined || toBase64(expected) === answer.leafHash;
      if (
        !matches ||
        answer.treeSize !== checkpoint.size ||
        !verifyInclusion(leaf, answer.index, checkpoint.size, proof, checkpoint.rootHash)
      ) {
        throw new EnlaceVerificationError('audit-proof', {
          cause: new Error('the inclusion proof does not hold'),
        });
      }
      return { index: answer.index, leafHash: leaf };
    },
    proveConsistency: async (older, newer) => {
      if (older.origin !== newer.origin) {
        throw new EnlaceVerificationError('audit-proof', {
          cause: new Error('two different logs'),
        });
      }
      // Why: the same size needs no proof, but must be the same tree.
      const proof =
        older.size === newer.size
          ? []
          : unwrap(
              await http.open.GET('/audit/proof/consistency', {
                params: { query: { from: older.size, to: newer.size } },
              }),
            ).proof.map(fromBase64);
      if (!verifyConsistency(older.size, newer.size, proof, older.rootHash, newer.rootHash)) {
        throw new EnlaceVerificationError('audit-proof', {
          cause: new Error('the consistency proof does not hold'),
        });
      }
    },
  };
}
