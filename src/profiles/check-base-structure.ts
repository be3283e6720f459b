// Checks a resource against the FHIR R4 base structure (JSON Schema) and reports ajv's findings as FHIR issues.
import type { ErrorObject } from 'ajv';
import type { BaseSchemaValidator } from './base-schema-types.js';
import { MAX_ISSUES, issue, type ValidationIssue } from './validation-issue.js';

/** `/entry/0/resource/status` under `Bundle` → `Bundle.entry[0].resource.status`. */
export function pointerToFhirPath(root: string, pointer: string): string {
  if (pointer === '') return root;
  let path = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    path += /^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`;
  }
  return path;
}

const quote = (value: unknown): string => JSON.stringify(value).slice(0, 80);

function toIssue(root: string, error: ErrorObject): ValidationIssue {
  const at = pointerToFhirPath(root, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      return issue('structure', `${at}.${name}`, `Unknown element '${name}' in ${at}.`);
    }
    case 'required': {
      const name = String(params.missingProperty);
      return issue('required', `${at}.${name}`, `${at}.${name} is required.`);
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).slice(0, 12).map(String).join(' | ');
      return issue('code-invalid', at, `${at} must be one of: ${allowed}.`);
    }
    case 'discriminator':
      return issue(
        'not-supported',
        at,
        params.error === 'mapping'
          ? `Resource type ${quote(params.tagValue)} is not accepted by this gateway.`
          : `${at}.resourceType must be a string.`,
      );
    case 'const':
      return issue('structure', at, `${at} must be ${quote(params.allowedValue)}.`);
    case 'pattern':
      return issue('value', at, `${at} is not a valid FHIR value of its type.`);
    case 'type':
      return issue('structure', at, `${at} must be of JSON type ${String(params.type)}.`);
    default:
      return issue('structure', at, `${at} ${error.message ?? 'is invalid'}.`);
  }
}

/** Base-structure issues for one resource (top level; nested resources are covered by the schema). */
export function checkBaseStructure(
  validator: BaseSchemaValidator,
  resource: unknown,
  root: string,
): ValidationIssue[] {
  if (validator(resource)) return [];
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  for (const error of validator.errors ?? []) {
    const found = toIssue(root, error);
    const key = `${found.code} ${found.expression} ${found.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(found);
    if (issues.length >= MAX_ISSUES) break;
  }
  return issues;
}
