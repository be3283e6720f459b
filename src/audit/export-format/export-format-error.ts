// Typed refusals of the audit export format, for the writer's callers and the reader's untrusted input.

/** Stable codes: callers may rely on them, so never rename one; add new ones instead. */
export type ExportFormatErrorCode =
  | 'ERR_EXPORT_MANIFEST_INVALID'
  | 'ERR_EXPORT_PATH_UNSAFE'
  | 'ERR_EXPORT_FILE_UNREADABLE'
  | 'ERR_EXPORT_LINE_INVALID'
  | 'ERR_EXPORT_WRITER_MISUSE';

export const EXPORT_FORMAT_ERROR_MESSAGES: Readonly<Record<ExportFormatErrorCode, string>> = {
  ERR_EXPORT_MANIFEST_INVALID: 'the export manifest is not a valid audit export manifest',
  ERR_EXPORT_PATH_UNSAFE: 'the export names a file outside its directory',
  ERR_EXPORT_FILE_UNREADABLE: 'a file of the export is missing, not a regular file, or too large',
  ERR_EXPORT_LINE_INVALID: 'a line of the export is malformed',
  ERR_EXPORT_WRITER_MISUSE: 'the export writer was called out of order or with invalid data',
};

export interface ExportFormatErrorOptions {
  /** What exactly was wrong, for the auditor or the log (file name, line number, field). */
  readonly detail?: string;
  /** The 1-based line number in the file, for line errors. */
  readonly line?: number;
  readonly cause?: unknown;
}

export class ExportFormatError extends Error {
  override readonly name = 'ExportFormatError';
  readonly code: ExportFormatErrorCode;
  readonly detail: string | undefined;
  readonly line: number | undefined;

  constructor(code: ExportFormatErrorCode, options: ExportFormatErrorOptions = {}) {
    super(EXPORT_FORMAT_ERROR_MESSAGES[code], { cause: options.cause });
    this.code = code;
    this.detail = options.detail;
    this.line = options.line;
  }
}

export const isExportFormatError = (value: unknown): value is ExportFormatError =>
  value instanceof ExportFormatError;
