// Reads the sizes and indexes of a proof request: canonical non-negative integers, within the log.
import { GatewayError } from '../../kernel/index.js';

/** A decimal integer from 0 to 2^53 − 1, written without sign, spaces or leading zeros. */
const CANONICAL = /^(?:0|[1-9]\d{0,15})$/;

export function readCount(query: URLSearchParams, name: string): number | undefined {
  const values = query.getAll(name);
  if (values.length === 0) return undefined;
  const [text] = values;
  if (
    values.length > 1 ||
    text === undefined ||
    !CANONICAL.test(text) ||
    !Number.isSafeInteger(Number(text))
  ) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      `${name} must appear once, as a whole number written in decimal.`,
      { expression: [name] },
    );
  }
  return Number(text);
}

export function requireCount(query: URLSearchParams, name: string): number {
  const value = readCount(query, name);
  if (value === undefined) {
    throw new GatewayError('ENLACE_INVALID_PARAMETER', `${name} is required.`, {
      expression: [name],
    });
  }
  return value;
}

/** Refuses a tree size the log has not reached: no proof can speak of entries not yet recorded. */
export function checkWithinLog(size: number, logSize: number, name: string): void {
  if (size > logSize) {
    throw new GatewayError(
      'ENLACE_AUDIT_PROOF_UNAVAILABLE',
      `${name} ${size} is beyond the log, which holds ${logSize} entries.`,
      { expression: [name] },
    );
  }
}
