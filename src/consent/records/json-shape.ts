// Small readers for untrusted JSON: objects, bounded lists and texts, each refusing with a FHIRPath expression.
import { GatewayError } from '../../kernel/index.js';
import { consentLimits } from './consent-constants.js';

export type JsonObject = Readonly<Record<string, unknown>>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function readObject(value: unknown, path: string): JsonObject {
  if (!isJsonObject(value)) {
    throw new GatewayError('ENLACE_CONSENT_INVALID', `${path} must be a JSON object.`, {
      expression: [path],
    });
  }
  return value;
}

/** A list of at most `maxListLength` entries; a longer one is refused before anything reads it. */
export function readList(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new GatewayError('ENLACE_CONSENT_INVALID', `${path} must be a non-empty array.`, {
      expression: [path],
    });
  }
  if (value.length > consentLimits.maxListLength) {
    throw new GatewayError(
      'ENLACE_CONSENT_TOO_COMPLEX',
      `${path} has more than ${consentLimits.maxListLength} entries.`,
      { expression: [path] },
    );
  }
  return value as readonly unknown[];
}

export function readText(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new GatewayError('ENLACE_CONSENT_INVALID', `${path} must be a non-empty string.`, {
      expression: [path],
    });
  }
  if (value.length > consentLimits.maxTextLength) {
    throw new GatewayError(
      'ENLACE_CONSENT_INVALID',
      `${path} is longer than ${consentLimits.maxTextLength} characters.`,
      { expression: [path] },
    );
  }
  return value;
}

/** Refuses any member not in `allowed`, so nothing the gateway does not evaluate is stored as if it did. */
export function checkKnownMembers(
  value: JsonObject,
  allowed: readonly string[],
  path: string,
): void {
  for (const name of Object.keys(value)) {
    if (!allowed.includes(name)) {
      throw new GatewayError(
        'ENLACE_CONSENT_INVALID',
        `${path}.${name.slice(0, 64)} is not supported by the VawConsent profile.`,
        { expression: [`${path}.${name.slice(0, 64)}`] },
      );
    }
  }
}

const FHIR_DATE_TIME =
  /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;

/** A FHIR dateTime (a time needs a zone); returns its instant in epoch milliseconds. */
export function readDateTime(value: unknown, path: string): number {
  const millis = typeof value === 'string' && FHIR_DATE_TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(millis)) {
    throw new GatewayError(
      'ENLACE_CONSENT_INVALID',
      `${path} must be a FHIR dateTime (YYYY, YYYY-MM, YYYY-MM-DD or a full time with zone).`,
      { expression: [path] },
    );
  }
  return millis;
}
