// Reads the one thing that identifies the survivor in a consent: a business identifier the partner holds.
import { GatewayError } from '../../kernel/index.js';
import { PSEUDONYM_SYSTEM, type SurvivorIdentifier } from '../types.js';
import { isJsonObject } from './json-shape.js';

const MAX_IDENTIFIER_LENGTH = 128;

const unidentified = (message: string, expression: string): GatewayError =>
  new GatewayError('ENLACE_CONSENT_SURVIVOR_UNIDENTIFIED', message, { expression: [expression] });

/**
 * `patient.identifier` {system, value} and nothing else: no reference, no display, because a name
 * or a local Patient id would put identifying data where the gateway keeps only a pseudonym.
 * Messages never repeat the value.
 */
export function readSurvivorIdentifier(patient: unknown): SurvivorIdentifier {
  if (!isJsonObject(patient) || patient.identifier === undefined) {
    throw unidentified(
      'The survivor cannot be identified: Consent.patient.identifier (system and value) is required.',
      'Consent.patient.identifier',
    );
  }
  const extra = Object.keys(patient).find((name) => name !== 'identifier');
  if (extra !== undefined) {
    throw new GatewayError(
      'ENLACE_CONSENT_INVALID',
      'Consent.patient may carry only an identifier; the gateway stores no name, display or reference.',
      { expression: [`Consent.patient.${extra.slice(0, 64)}`] },
    );
  }
  const identifier = patient.identifier;
  if (!isJsonObject(identifier)) {
    throw unidentified(
      'Consent.patient.identifier must be one Identifier with system and value.',
      'Consent.patient.identifier',
    );
  }
  const { system, value } = identifier;
  if (typeof system !== 'string' || system.trim() === '' || system.length > 256) {
    throw unidentified(
      'Consent.patient.identifier.system is required: the namespace of the national id or case number.',
      'Consent.patient.identifier.system',
    );
  }
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_IDENTIFIER_LENGTH) {
    throw unidentified(
      `Consent.patient.identifier.value is required (at most ${MAX_IDENTIFIER_LENGTH} characters).`,
      'Consent.patient.identifier.value',
    );
  }
  // Why: a pseudonym submitted as if it were an identifier would be hashed again and never match.
  if (system === PSEUDONYM_SYSTEM) {
    throw unidentified(
      'Give the identifier your institution holds, not a gateway pseudonym.',
      'Consent.patient.identifier.system',
    );
  }
  return { system, value };
}
