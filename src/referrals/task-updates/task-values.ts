// Checks the values a partner may put on a Task (statusReason, note, output): shape and size only.
import type { Annotation, CodeableConcept, TaskOutput } from '@medplum/fhirtypes';
import { GatewayError } from '../../kernel/index.js';

type JsonObject = Record<string, unknown>;

const MAX_TEXT = 2000;
const MAX_CODE = 256;
const MAX_CODINGS = 5;
/** A Task travels in every notification; its outputs stay small references, not documents. */
const MAX_OUTPUT_JSON = 4000;

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const invalid = (where: string, what: string): GatewayError =>
  new GatewayError('ENLACE_TASK_PATCH_INVALID', `${where} ${what}.`, { expression: [where] });

function checkKeys(value: JsonObject, allowed: readonly string[], where: string): void {
  const extra = Object.keys(value).find((key) => !allowed.includes(key));
  if (extra !== undefined) throw invalid(where, `may not carry ${extra.slice(0, 40)}`);
}

function readText(value: unknown, max: number, where: string): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) {
    throw invalid(where, `must be a non-empty string of at most ${max} characters`);
  }
  return value;
}

export function readCodeableConcept(value: unknown, where: string): CodeableConcept {
  if (!isJsonObject(value)) throw invalid(where, 'must be a CodeableConcept');
  checkKeys(value, ['coding', 'text'], where);
  const concept: CodeableConcept = {};
  if (value.coding !== undefined) {
    if (!Array.isArray(value.coding) || value.coding.length > MAX_CODINGS) {
      throw invalid(`${where}.coding`, `must be an array of at most ${MAX_CODINGS} codings`);
    }
    concept.coding = (value.coding as unknown[]).map((coding, index) => {
      const at = `${where}.coding[${index}]`;
      if (!isJsonObject(coding)) throw invalid(at, 'must be a Coding');
      checkKeys(coding, ['system', 'code', 'display'], at);
      return {
        ...(coding.system === undefined
          ? {}
          : { system: readText(coding.system, MAX_CODE, `${at}.system`) }),
        code: readText(coding.code, MAX_CODE, `${at}.code`),
        ...(coding.display === undefined
          ? {}
          : { display: readText(coding.display, MAX_CODE, `${at}.display`) }),
      };
    });
  }
  if (value.text !== undefined) concept.text = readText(value.text, MAX_TEXT, `${where}.text`);
  if (concept.text === undefined && (concept.coding ?? []).length === 0) {
    throw invalid(where, 'needs a coding or a text');
  }
  return concept;
}

/** The author and time are set by the gateway from the caller, so a note cannot speak for the other party. */
export function readAnnotation(value: unknown, where: string): Annotation {
  if (!isJsonObject(value)) throw invalid(where, 'must be an Annotation');
  checkKeys(value, ['text', 'time', 'authorString', 'authorReference'], where);
  return { text: readText(value.text, MAX_TEXT, `${where}.text`) };
}

/**
 * Why no `reference` in an output: every reference the gateway serves must resolve, and a literal
 * one would be read against the gateway, which holds no such resource (a document at the shelter,
 * a service at the clinic). Outputs name such things logically, by `identifier`.
 */
function checkNoLiteralReference(value: unknown, where: string): void {
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      checkNoLiteralReference(item, `${where}[${index}]`);
    });
    return;
  }
  if (!isJsonObject(value)) return;
  for (const [key, member] of Object.entries(value)) {
    if (key === 'reference') {
      throw invalid(
        `${where}.reference`,
        'may not be a literal reference: name the resource by identifier (a logical reference)',
      );
    }
    checkNoLiteralReference(member, `${where}.${key}`);
  }
}

export function readOutput(value: unknown, where: string): TaskOutput {
  if (!isJsonObject(value)) throw invalid(where, 'must be a Task.output');
  const valueKeys = Object.keys(value).filter((key) => /^value[A-Z][A-Za-z]*$/.test(key));
  checkKeys(value, ['type', ...valueKeys], where);
  if (valueKeys.length !== 1) throw invalid(where, 'needs exactly one value[x]');
  if (JSON.stringify(value).length > MAX_OUTPUT_JSON) {
    throw invalid(where, `must be at most ${MAX_OUTPUT_JSON} characters of JSON`);
  }
  checkNoLiteralReference(value, where);
  const output: TaskOutput = { ...value, type: readCodeableConcept(value.type, `${where}.type`) };
  return output;
}
