// The manifest of an audit export: a FHIR Bulk Data manifest whose extension says how to verify it.
import type { JsonValue } from '../../crypto/canonical-json.js';

/** Version of the directory layout below; a reader refuses any other. */
export const EXPORT_FORMAT_VERSION = 1;

/** The key of the manifest's `extension` object that holds the verification metadata. */
export const AUDIT_EXPORT_EXTENSION =
  'https://enlace.example.org/fhir/StructureDefinition/audit-export';

/** The names the writer gives the files; a reader follows whatever the manifest names instead. */
export const EXPORT_FILES = Object.freeze({
  manifest: 'manifest.json',
  entries: 'AuditEvent.ndjson',
  checkpoint: 'checkpoint.txt',
  proofs: 'proofs.ndjson',
  leafHashes: 'leaf-hashes.bin',
  consistency: 'consistency.ndjson',
});

export interface AuditExportExtension {
  readonly version: typeof EXPORT_FORMAT_VERSION;
  /** The log's origin line, as in its checkpoints. */
  readonly origin: string;
  /** The size of the checkpoint the export is verified against. */
  readonly treeSize: number;
  /** True when the export is every leaf 0..treeSize-1 in order, false for a filtered export. */
  readonly complete: boolean;
  readonly checkpoint: string;
  /** Filtered exports only: one inclusion proof per entry line. */
  readonly proofs?: string;
  /** Complete exports only: the 32-octet leaf hash of each index, concatenated. */
  readonly leafHashes?: string;
  readonly consistency: string;
  /** The export request's filter as the auditor asked it (time range, survivor); informative. */
  readonly filter: { readonly [key: string]: JsonValue };
}

export interface ExportOutput {
  readonly type: 'AuditEvent';
  readonly url: string;
  readonly count: number;
}

/** FHIR Bulk Data §Response - Complete Status, with relative `url`s inside the export directory. */
export interface ExportManifest {
  readonly transactionTime: string;
  readonly request: string;
  readonly requiresAccessToken: true;
  readonly output: readonly [ExportOutput];
  readonly error: readonly [];
  readonly extension: { readonly [AUDIT_EXPORT_EXTENSION]: AuditExportExtension };
}

/** The extension of a manifest already checked by `toExportManifest`. */
export const auditExtensionOf = (manifest: ExportManifest): AuditExportExtension =>
  manifest.extension[AUDIT_EXPORT_EXTENSION];
