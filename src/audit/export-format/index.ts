// Public face of the audit export format: the streaming writer the server uses, the readers the verifier uses.
export {
  AUDIT_EXPORT_EXTENSION,
  EXPORT_FILES,
  EXPORT_FORMAT_VERSION,
  auditExtensionOf,
} from './export-manifest.js';
export type { AuditExportExtension, ExportManifest, ExportOutput } from './export-manifest.js';
export {
  EXPORT_FORMAT_ERROR_MESSAGES,
  ExportFormatError,
  isExportFormatError,
} from './export-format-error.js';
export type { ExportFormatErrorCode } from './export-format-error.js';
export { MAX_FILE_NAME_LENGTH, MAX_LINE_BYTES, MAX_MANIFEST_BYTES } from './export-limits.js';
export { isSafeExportName, openExportFile, readSmallExportFile } from './export-paths.js';
export type { ExportFile } from './export-paths.js';
export { fromHashBase64, fromProofBase64, toHashBase64 } from './hash-base64.js';
export { isCanonicalJsonText } from './is-canonical-json.js';
export { toExportManifest } from './manifest-shape.js';
export { buildExportManifest } from './build-manifest.js';
export type { ManifestFacts, ManifestInput } from './build-manifest.js';
export {
  formatConsistencyLine,
  formatInclusionLine,
  readConsistencyLines,
  readInclusionLines,
  toConsistencyLine,
  toInclusionLine,
} from './proof-lines.js';
export type { ConsistencyLine, InclusionLine } from './proof-lines.js';
export { readLineBatches, readLines } from './read-lines.js';
export type { ExportLine } from './read-lines.js';
export { readLeafHashBlocks, readLeafHashes } from './read-leaf-hashes.js';
export { readCheckpointNote, readExportManifest } from './read-export.js';
export type { OpenedExport } from './read-export.js';
export { createExportWriter } from './export-writer.js';
export type { ExportFinishInput, ExportWriter, ExportWriterOptions } from './export-writer.js';
