// Validates the $emergency-access Parameters: who (patient), why (purpose, justification, risk), how long.
import type { EmergencyPolicy } from '../../partners/index.js';
import { PURPOSE_SYSTEM, type SurvivorIdentifier } from '../types.js';
import {
  DEFAULT_GRANT_HOURS,
  emergencyRiskLevels,
  JUSTIFICATION_MAX_CHARS,
  JUSTIFICATION_MIN_CHARS,
  RISK_LEVEL_SYSTEM,
  type EmergencyRiskLevel,
} from './emergency-codes.js';
import {
  invalidParameter,
  isJsonObject,
  readParameters,
  requireParameter,
  valueOf,
  type ParameterEntry,
} from './read-parameters.js';

export interface EmergencyRequest {
  readonly patient: SurvivorIdentifier;
  readonly justification: string;
  readonly riskLevel?: EmergencyRiskLevel;
  readonly hours: number;
  /** A grant the caller already holds, presented to confirm it rather than open a new one. */
  readonly grant?: string;
}

const KNOWN = ['patient', 'purpose', 'justification', 'riskLevel', 'hours', 'grant'] as const;
const MAX_IDENTIFIER_CHARS = 256;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
// Control characters other than tab and line breaks have no place in a justification or a log.
const CONTROL = /[^\P{Cc}\t\n\r]/u;

export function readEmergencyRequest(body: unknown, policy: EmergencyPolicy): EmergencyRequest {
  const entries = readParameters(body, KNOWN);
  const patient = readPatient(requireParameter(entries, 'patient'));
  checkPurpose(requireParameter(entries, 'purpose'));
  const justification = readJustification(requireParameter(entries, 'justification'));
  const risk = entries.get('riskLevel');
  const hours = entries.get('hours');
  const grant = entries.get('grant');
  return {
    patient,
    justification,
    ...(risk === undefined ? {} : { riskLevel: readRiskLevel(risk) }),
    hours:
      hours === undefined
        ? Math.min(DEFAULT_GRANT_HOURS, policy.maxHours)
        : readHours(hours, policy),
    ...(grant === undefined ? {} : { grant: readGrantId(grant) }),
  };
}

/** The survivor's identifier when the body carries a well-formed one; for auditing refusals. */
export function peekPatient(body: unknown): SurvivorIdentifier | undefined {
  try {
    const entries = readParameters(body, KNOWN);
    const patient = entries.get('patient');
    return patient === undefined ? undefined : readPatient(patient);
  } catch {
    return undefined;
  }
}

function readPatient(parameter: ParameterEntry): SurvivorIdentifier {
  const identifier = valueOf(parameter, 'valueIdentifier', 'valueIdentifier');
  const ok = (text: unknown): text is string =>
    typeof text === 'string' && text.trim() !== '' && text.length <= MAX_IDENTIFIER_CHARS;
  if (!isJsonObject(identifier) || !ok(identifier.system) || !ok(identifier.value)) {
    throw invalidParameter(
      `patient needs an identifier with a system and a value, each at most ${MAX_IDENTIFIER_CHARS} characters.`,
      `${parameter.path}.valueIdentifier`,
    );
  }
  return { system: identifier.system, value: identifier.value };
}

function checkPurpose(parameter: ParameterEntry): void {
  const coding = valueOf(parameter, 'valueCoding', 'valueCoding');
  // Why only `emergency`: every other purpose needs the survivor's consent, never a grant.
  if (!isJsonObject(coding) || coding.system !== PURPOSE_SYSTEM || coding.code !== 'emergency') {
    throw invalidParameter(
      `purpose must be the code emergency of ${PURPOSE_SYSTEM}; other purposes need the survivor's consent.`,
      `${parameter.path}.valueCoding`,
    );
  }
}

function readJustification(parameter: ParameterEntry): string {
  const text = valueOf(parameter, 'valueString', 'valueString');
  const trimmed = typeof text === 'string' ? text.trim() : '';
  // Why a floor: a reviewer must be able to tell from it why consent could not wait.
  if (
    trimmed.length < JUSTIFICATION_MIN_CHARS ||
    trimmed.length > JUSTIFICATION_MAX_CHARS ||
    CONTROL.test(trimmed)
  ) {
    throw invalidParameter(
      `justification must say why consent cannot wait, in ${JUSTIFICATION_MIN_CHARS} to ${JUSTIFICATION_MAX_CHARS} characters without control characters.`,
      `${parameter.path}.valueString`,
    );
  }
  return trimmed;
}

function readRiskLevel(parameter: ParameterEntry): EmergencyRiskLevel {
  const { entry, path } = parameter;
  let code: unknown;
  if (entry.valueCode !== undefined) code = entry.valueCode;
  else if (isJsonObject(entry.valueCoding) && entry.valueCoding.system === RISK_LEVEL_SYSTEM) {
    code = entry.valueCoding.code;
  }
  const level = emergencyRiskLevels.find((known) => known === code);
  // Why: a risk assessed below high does not justify acting without the survivor's consent.
  if (level === undefined) {
    throw invalidParameter(
      `riskLevel must be high or extreme (${RISK_LEVEL_SYSTEM}); a lower risk must wait for consent.`,
      path,
    );
  }
  return level;
}

function readHours(parameter: ParameterEntry, policy: EmergencyPolicy): number {
  const { entry, path } = parameter;
  const hours = entry.valueInteger ?? entry.valuePositiveInt;
  if (
    typeof hours !== 'number' ||
    !Number.isInteger(hours) ||
    hours < 1 ||
    hours > policy.maxHours
  ) {
    throw invalidParameter(`hours must be an integer from 1 to ${policy.maxHours}.`, path);
  }
  return hours;
}

function readGrantId(parameter: ParameterEntry): string {
  const id = valueOf(parameter, 'valueId', 'valueId');
  if (typeof id !== 'string' || !FHIR_ID.test(id)) {
    throw invalidParameter('grant must be a grant id.', `${parameter.path}.valueId`);
  }
  return id;
}

/** The grant id of a $emergency-access-stop request. */
export function readStopRequest(body: unknown): string {
  const entries = readParameters(body, ['grant']);
  return readGrantId(requireParameter(entries, 'grant'));
}
