// Builds the manifest the writer puts last into an export, from what the export holds.
import type { JsonValue } from '../../crypto/canonical-json.js';
import {
  AUDIT_EXPORT_EXTENSION,
  EXPORT_FILES,
  EXPORT_FORMAT_VERSION,
  type ExportManifest,
} from './export-manifest.js';

export interface ManifestInput {
  /** FHIR instant the export reflects (Bulk Data `transactionTime`). */
  readonly transactionTime: string;
  /** The kick-off request URL, e.g. `https://gw.example/fhir/AuditEvent/$export?…`. */
  readonly request: string;
  /** The filter as the auditor asked for it (time range, survivor); copied as it is. */
  readonly filter?: { readonly [key: string]: JsonValue };
}

export interface ManifestFacts {
  readonly origin: string;
  readonly treeSize: number;
  readonly complete: boolean;
  readonly count: number;
}

export function buildExportManifest(input: ManifestInput, facts: ManifestFacts): ExportManifest {
  return {
    transactionTime: input.transactionTime,
    request: input.request,
    requiresAccessToken: true,
    output: [{ type: 'AuditEvent', url: EXPORT_FILES.entries, count: facts.count }],
    error: [],
    extension: {
      [AUDIT_EXPORT_EXTENSION]: {
        version: EXPORT_FORMAT_VERSION,
        origin: facts.origin,
        treeSize: facts.treeSize,
        complete: facts.complete,
        checkpoint: EXPORT_FILES.checkpoint,
        ...(facts.complete
          ? { leafHashes: EXPORT_FILES.leafHashes }
          : { proofs: EXPORT_FILES.proofs }),
        consistency: EXPORT_FILES.consistency,
        filter: input.filter ?? {},
      },
    },
  };
}
