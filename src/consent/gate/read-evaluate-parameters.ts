// Reads the $evaluate input Parameters: patient, purpose, data classes, actor and instant, each checked by name.
import { GatewayError } from '../../kernel/index.js';
import {
  DATA_CLASS_SYSTEM,
  dataClasses,
  PURPOSE_SYSTEM,
  purposes,
  type DataClass,
  type Purpose,
  type SurvivorIdentifier,
} from '../types.js';

type JsonObject = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const KNOWN = ['patient', 'purpose', 'dataClass', 'actor', 'at'] as const;
const MAX_PARAMETERS = 32;
const ORGANIZATION_REFERENCE = /^Organization\/([A-Za-z0-9\-.]{1,64})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export interface EvaluateInput {
  readonly identifier: SurvivorIdentifier;
  readonly purpose: Purpose;
  /** Never empty: no dataClass parameter means every class. */
  readonly dataClasses: readonly DataClass[];
  /** The partner id to decide for, when not the caller. */
  readonly actor?: string;
  readonly at?: Date;
}

const where = (name: string): string => `Parameters.parameter.where(name='${name}')`;

const invalid = (name: string, message: string): GatewayError =>
  new GatewayError('ENLACE_INVALID_PARAMETER', message, { expression: [where(name)] });

/** A code given as valueCode, or as valueCoding of the expected system. */
function readCode(parameter: JsonObject, name: string, system: string): string {
  if (typeof parameter.valueCode === 'string') return parameter.valueCode;
  const coding = parameter.valueCoding;
  if (isObject(coding) && coding.system === system && typeof coding.code === 'string') {
    return coding.code;
  }
  throw invalid(name, `${name} needs a valueCode, or a valueCoding of ${system}.`);
}

export function readEvaluateParameters(body: unknown): EvaluateInput {
  if (!isObject(body) || body.resourceType !== 'Parameters') {
    throw new GatewayError('ENLACE_INVALID_PARAMETER', 'The body must be a Parameters resource.', {
      expression: ['Parameters'],
    });
  }
  const list = body.parameter ?? [];
  if (!Array.isArray(list) || list.length > MAX_PARAMETERS) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      `Parameters.parameter must be an array of at most ${MAX_PARAMETERS} entries.`,
      { expression: ['Parameters.parameter'] },
    );
  }
  const byName = new Map<string, JsonObject[]>();
  (list as readonly unknown[]).forEach((entry, index) => {
    const name = isObject(entry) ? entry.name : undefined;
    if (
      !isObject(entry) ||
      typeof name !== 'string' ||
      !(KNOWN as readonly string[]).includes(name)
    ) {
      throw new GatewayError(
        'ENLACE_INVALID_PARAMETER',
        `Parameter ${index} is not one of ${KNOWN.join(', ')}.`,
        { expression: [`Parameters.parameter[${index}]`] },
      );
    }
    byName.set(name, [...(byName.get(name) ?? []), entry]);
  });
  const single = (name: string, required: boolean): JsonObject | undefined => {
    const found = byName.get(name) ?? [];
    if (found.length > 1) throw invalid(name, `${name} may be given only once.`);
    if (required && found.length === 0) throw invalid(name, `${name} is required.`);
    return found[0];
  };
  return {
    identifier: readPatient(single('patient', true)),
    purpose: readPurpose(single('purpose', true)),
    dataClasses: readDataClasses(byName.get('dataClass') ?? []),
    ...readActor(single('actor', false)),
    ...readAt(single('at', false)),
  };
}

function readPatient(parameter: JsonObject | undefined): SurvivorIdentifier {
  const identifier = parameter?.valueIdentifier;
  if (
    !isObject(identifier) ||
    typeof identifier.system !== 'string' ||
    identifier.system === '' ||
    typeof identifier.value !== 'string' ||
    identifier.value === '' ||
    identifier.value.length > 128
  ) {
    throw invalid('patient', 'patient needs a valueIdentifier with system and value.');
  }
  return { system: identifier.system, value: identifier.value };
}

function readPurpose(parameter: JsonObject | undefined): Purpose {
  const code = readCode(parameter ?? {}, 'purpose', PURPOSE_SYSTEM);
  if (!(purposes as readonly string[]).includes(code)) {
    throw invalid('purpose', `${code.slice(0, 64)} is not a purpose of ${PURPOSE_SYSTEM}.`);
  }
  return code as Purpose;
}

function readDataClasses(parameters: readonly JsonObject[]): DataClass[] {
  if (parameters.length === 0) return [...dataClasses];
  const classes = parameters.map((parameter) => {
    const code = readCode(parameter, 'dataClass', DATA_CLASS_SYSTEM);
    if (!(dataClasses as readonly string[]).includes(code)) {
      throw invalid(
        'dataClass',
        `${code.slice(0, 64)} is not a data class of ${DATA_CLASS_SYSTEM}.`,
      );
    }
    return code as DataClass;
  });
  return [...new Set(classes)].sort();
}

function readActor(parameter: JsonObject | undefined): { actor?: string } {
  if (parameter === undefined) return {};
  const reference = isObject(parameter.valueReference)
    ? parameter.valueReference.reference
    : undefined;
  const match = typeof reference === 'string' ? ORGANIZATION_REFERENCE.exec(reference) : null;
  if (match?.[1] === undefined) {
    throw invalid('actor', 'actor needs a valueReference to Organization/<partner id>.');
  }
  return { actor: match[1] };
}

function readAt(parameter: JsonObject | undefined): { at?: Date } {
  if (parameter === undefined) return {};
  const text = parameter.valueDateTime;
  const millis = typeof text === 'string' && DATE_TIME.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(millis)) {
    throw invalid('at', 'at needs a valueDateTime with date, time and zone.');
  }
  return { at: new Date(millis) };
}
