// Reads a FHIR Parameters body into named entries, refusing unknown, repeated or malformed parameters.
import { GatewayError } from '../../kernel/index.js';

export type JsonObject = Readonly<Record<string, unknown>>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One parameter with the FHIRPath that locates it, for OperationOutcome.issue.expression. */
export interface ParameterEntry {
  readonly path: string;
  readonly entry: JsonObject;
}

/** More parameters than any operation here takes; a bound so a huge list costs nothing. */
const MAX_PARAMETERS = 16;

export const invalidParameter = (message: string, path: string): GatewayError =>
  new GatewayError('ENLACE_EMERGENCY_PARAMETER_INVALID', message, { expression: [path] });

/** Parameters by name; each name at most once and from `known`, each entry carrying one value. */
export function readParameters(
  body: unknown,
  known: readonly string[],
): ReadonlyMap<string, ParameterEntry> {
  if (!isJsonObject(body) || body.resourceType !== 'Parameters') {
    throw invalidParameter('The body must be a FHIR Parameters resource.', 'Parameters');
  }
  const list = body.parameter ?? [];
  if (!Array.isArray(list) || list.length > MAX_PARAMETERS) {
    throw invalidParameter(
      `Parameters.parameter must be a list of at most ${MAX_PARAMETERS} entries.`,
      'Parameters.parameter',
    );
  }
  const entries = new Map<string, ParameterEntry>();
  list.forEach((entry: unknown, index) => {
    const path = `Parameters.parameter[${index}]`;
    if (!isJsonObject(entry) || typeof entry.name !== 'string') {
      throw invalidParameter('Every parameter needs a name.', path);
    }
    // Why refuse unknown names: a misspelt parameter silently ignored would change the meaning.
    if (!known.includes(entry.name)) {
      throw invalidParameter(
        `Unknown parameter "${entry.name.slice(0, 64)}"; expected one of ${known.join(', ')}.`,
        `${path}.name`,
      );
    }
    if (entries.has(entry.name)) {
      throw invalidParameter(`The parameter ${entry.name} is given more than once.`, path);
    }
    const values = Object.keys(entry).filter((key) => key.startsWith('value'));
    if (values.length !== 1 || entry.part !== undefined || entry.resource !== undefined) {
      throw invalidParameter(`The parameter ${entry.name} needs exactly one value[x].`, path);
    }
    entries.set(entry.name, { path, entry });
  });
  return entries;
}

/** The parameter's entry, or a 400 `required` refusal naming it. */
export function requireParameter(
  entries: ReadonlyMap<string, ParameterEntry>,
  name: string,
): ParameterEntry {
  const found = entries.get(name);
  if (found === undefined) {
    throw new GatewayError(
      'ENLACE_EMERGENCY_PARAMETER_MISSING',
      `The parameter ${name} is required.`,
      { expression: [`Parameters.parameter.where(name='${name}')`] },
    );
  }
  return found;
}

/** The value under `key` (valueString, valueIdentifier…), or a refusal saying which type is expected. */
export function valueOf(parameter: ParameterEntry, key: string, expected: string): unknown {
  const value = parameter.entry[key];
  if (value === undefined) {
    throw invalidParameter(
      `The parameter ${String(parameter.entry.name)} must be a ${expected}.`,
      parameter.path,
    );
  }
  return value;
}
