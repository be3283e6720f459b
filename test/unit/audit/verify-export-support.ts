// Shared helpers for the verifier tests: a verify call with the fixture's keys, and verdict assertions.
import assert from 'node:assert/strict';
import { parseVerifierKey } from '../../../src/audit/note/index.js';
import {
  verifyExport,
  type VerifyExportOptions,
  type VerifyExportResult,
  type VerifyReason,
} from '../../../src/audit/verify-export/index.js';
import type { ExportFixture } from '../../support/audit-export-fixture.js';

export {
  editLines,
  editManifest,
  replaceMember,
  Scratch,
} from '../../support/audit-export-tamper.js';

/** Verifies `dir` with the fixture's log key and, unless overridden, no witness or earlier checkpoint. */
export function verifyWith(
  fixture: ExportFixture,
  dir: string = fixture.dir,
  options: Partial<VerifyExportOptions> = {},
): Promise<VerifyExportResult> {
  return verifyExport(dir, { logKey: parseVerifierKey(fixture.logSigner.verifierKey), ...options });
}

export const witnessKeysOf = (fixture: ExportFixture) =>
  fixture.witnessSigners.map((witness) => parseVerifierKey(witness.verifierKey));

/** Asserts a failure with `reason` (and `firstBadIndex`, when given: undefined means absent). */
export function assertFailed(
  result: VerifyExportResult,
  reason: VerifyReason,
  firstBadIndex?: number | 'absent',
): void {
  assert.equal(result.ok, false, 'expected verification to fail');
  assert.equal(result.reason, reason, `${result.reason ?? ''}: ${result.detail ?? ''}`);
  if (firstBadIndex === 'absent') assert.equal(result.firstBadIndex, undefined);
  else if (firstBadIndex !== undefined) assert.equal(result.firstBadIndex, firstBadIndex);
}

export function assertVerified(result: VerifyExportResult): void {
  assert.equal(result.ok, true, `${result.reason ?? ''}: ${result.detail ?? ''}`);
}
