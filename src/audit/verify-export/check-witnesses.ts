// Step 4 — cosignatures: each witness key the auditor trusts cosigned this checkpoint, or the earlier one it extends.
import {
  isNoteError,
  parseSignatureLine,
  verifyCosignature,
  type NoteVerifier,
} from '../note/index.js';
import type { OpenedCheckpoint } from './open-checkpoint.js';
import { VerifyFailure } from './verify-failure.js';
import type { WitnessResult } from './verify-types.js';

function checkWitness(opened: OpenedCheckpoint, witness: NoteVerifier): WitnessResult {
  // Signed-note matches a line to a key by name and key ID together; anything else is not its line.
  const lines = opened.signatureLines.filter((line) => {
    const { name, keyHash } = parseSignatureLine(line);
    return name === witness.name && keyHash === witness.keyHash;
  });
  if (lines.length === 0) return { name: witness.name, ok: false, problem: 'missing' };
  for (const line of lines) {
    try {
      const { timestamp } = verifyCosignature(opened.text, line, witness);
      return { name: witness.name, ok: true, timestamp };
    } catch (error) {
      if (!isNoteError(error)) throw error;
    }
  }
  return { name: witness.name, ok: false, problem: 'invalid' };
}

/**
 * Every witness's status, in the order given; the pipeline fails after recording them all. Why
 * the earlier checkpoint counts too: a witness cosigns a checkpoint after it was signed, so an
 * export's fresh checkpoint is rarely cosigned yet; a witness's cosignature on the earlier one the
 * auditor kept, with the export proven consistent with it, shows the history was not rewritten
 * since that witnessed point.
 */
export const checkWitnesses = (
  opened: OpenedCheckpoint,
  witnesses: readonly NoteVerifier[],
  earlier?: OpenedCheckpoint,
): WitnessResult[] =>
  witnesses.map((witness) => {
    const result = checkWitness(opened, witness);
    if (result.ok || earlier === undefined) return result;
    const onEarlier = checkWitness(earlier, witness);
    return onEarlier.ok ? { ...onEarlier, size: earlier.checkpoint.size } : result;
  });

export function assertWitnessesCosigned(results: readonly WitnessResult[]): void {
  const failed = results.filter((result) => !result.ok);
  if (failed.length > 0) {
    throw new VerifyFailure('WITNESS_COSIGNATURE_INVALID', {
      detail: failed.map((result) => `${result.name}: ${result.problem ?? 'invalid'}`).join(', '),
    });
  }
}
