// Turns a refusal of the export format into the verification failure it means at a given step.
import { isExportFormatError } from '../export-format/index.js';
import { VerifyFailure, type VerifyReason } from './verify-failure.js';

/**
 * `reason` for an unreadable or malformed file at this step, PATH_UNSAFE for a name that escapes
 * the export, MANIFEST_INVALID for a bad manifest; other errors pass through unchanged.
 */
export function fromFormatError(
  error: unknown,
  reason: VerifyReason,
  firstBadIndex?: number,
): unknown {
  if (!isExportFormatError(error)) return error;
  const detail = error.detail ?? error.message;
  const options = {
    detail,
    cause: error,
    ...(firstBadIndex === undefined ? {} : { firstBadIndex }),
  };
  switch (error.code) {
    case 'ERR_EXPORT_PATH_UNSAFE':
      return new VerifyFailure('PATH_UNSAFE', { detail, cause: error });
    case 'ERR_EXPORT_MANIFEST_INVALID':
      return new VerifyFailure('MANIFEST_INVALID', { detail, cause: error });
    default:
      return new VerifyFailure(reason, options);
  }
}
