// Bounds on what a reader accepts from an export, so hostile files cost bounded memory and time.

/**
 * One NDJSON line, in bytes. Why 1 MiB: an AuditEvent is a few kilobytes and a proof line about
 * 3 kB; a longer line is not ours, and refusing it keeps a file without newlines from filling memory.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

/** manifest.json, in bytes: a few hundred bytes plus the filter as requested. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

/** A file name inside the manifest, in characters. */
export const MAX_FILE_NAME_LENGTH = 255;
