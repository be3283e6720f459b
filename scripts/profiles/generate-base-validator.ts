// Dev-time: narrows the FHIR R4 JSON Schema to the resource types a referral carries and compiles it to ajv standalone code.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import type { BaseDefinitions, JsonSchemaDocument, JsonSchemaNode } from './base-definitions.js';
import { medplumAdditions } from './base-definitions.js';

/**
 * The resource types the gateway accepts anywhere in a request (top level, Bundle entries,
 * contained). Any other type fails base validation: a referral has no reason to carry it, and a
 * smaller schema compiles to code that loads in a quarter of a second instead of a second.
 */
export const ACCEPTED_RESOURCE_TYPES = [
  'Bundle',
  'Consent',
  'Endpoint',
  'MessageHeader',
  'OperationOutcome',
  'Organization',
  'Patient',
  'Provenance',
  'RelatedPerson',
  'RiskAssessment',
  'ServiceRequest',
  'Task',
] as const;

/** ajv options of the generated code; part of the fingerprint. */
export const AJV_OPTIONS = {
  strict: false,
  allErrors: true,
  discriminator: true,
  ownProperties: true,
  code: { source: true, esm: true, lines: false, optimize: true },
} as const;

const require = createRequire(import.meta.url);
// ajv's standalone module is CommonJS with its function on `default`.
const standaloneCode = standalone.default;
const ajvVersion = (require('ajv/package.json') as { version: string }).version;

/** Properties the JSON schema has that no R4 element defines (Medplum's, e.g. Reference.resource). */
function strayProperties(base: BaseDefinitions): Map<string, Set<string>> {
  const stray = new Map<string, Set<string>>();
  for (const sd of base.structures.values()) {
    const added = medplumAdditions(sd);
    for (const path of added) {
      const cut = path.lastIndexOf('.');
      const owner = definitionName(path.slice(0, cut));
      const name = path.slice(cut + 1);
      const set = stray.get(owner) ?? new Set<string>();
      set.add(name);
      set.add(`_${name}`);
      stray.set(owner, set);
    }
  }
  stray.set('Reference', new Set([...(stray.get('Reference') ?? []), 'resource']));
  stray.set(
    'OperationOutcome',
    new Set([...(stray.get('OperationOutcome') ?? []), 'status', 'resource']),
  );
  return stray;
}

/** `Task.restriction` → `Task_Restriction`, the schema's definition name. */
const definitionName = (path: string): string =>
  path
    .split('.')
    .map((part, i) => (i === 0 ? part : `${part.charAt(0).toUpperCase()}${part.slice(1)}`))
    .join('_');

/**
 * The official schema without descriptions, without Medplum's resources and properties, rooted at
 * a discriminated union (by resourceType) of the given types (ACCEPTED_RESOURCE_TYPES unless a
 * test asks for others), and only the definitions reachable from it.
 */
export function narrowSchema(
  base: BaseDefinitions,
  resourceTypes: readonly string[] = ACCEPTED_RESOURCE_TYPES,
): JsonSchemaDocument {
  const source = JSON.parse(JSON.stringify(base.schema), (key, value: unknown) =>
    key === 'description' && typeof value === 'string' ? undefined : value,
  ) as JsonSchemaDocument;
  const coreNames = new Set([...base.structures.values()].map((sd) => sd.type));
  const stray = strayProperties(base);
  const definitions: Record<string, JsonSchemaNode> = {};
  for (const [name, node] of Object.entries(source.definitions)) {
    if (!coreNames.has(name.split('_')[0] ?? '')) continue;
    const remove = stray.get(name);
    if (remove !== undefined && node.properties !== undefined) {
      for (const property of remove) Reflect.deleteProperty(node.properties, property);
    }
    definitions[name] = node;
  }
  definitions.ResourceList = {
    type: 'object',
    required: ['resourceType'],
    discriminator: { propertyName: 'resourceType' },
    oneOf: resourceTypes.map((type) => ({ $ref: `#/definitions/${type}` })),
  };
  const reachable = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const name = value.replace('#/definitions/', '');
        if (!reachable.has(name)) {
          if (definitions[name] === undefined) throw new Error(`schema: unresolved ${value}`);
          reachable.add(name);
          visit(definitions[name]);
        }
      } else {
        visit(value);
      }
    }
  };
  const root = { $ref: '#/definitions/ResourceList' };
  visit(root);
  const kept = Object.fromEntries(
    Object.keys(definitions)
      .filter((name) => reachable.has(name))
      .sort()
      .map((name) => [name, definitions[name] as JsonSchemaNode]),
  );
  return { ...root, definitions: kept };
}

/** Identifies the inputs of the generated code: the narrowed schema, ajv's version and options. */
export function schemaFingerprint(schema: JsonSchemaDocument): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ ajv: ajvVersion, options: AJV_OPTIONS, schema }));
  return `sha256:${hash.digest('hex')}`;
}

export const FINGERPRINT_PATTERN = /Fingerprint: (sha256:[0-9a-f]{64})/;

/** ES module source (TypeScript-compatible, not type-checked) exporting `validateBaseSchema`. */
export function generateBaseValidatorSource(base: BaseDefinitions): string {
  const schema = narrowSchema(base);
  const ajv = new Ajv(AJV_OPTIONS);
  const validate = ajv.compile(schema);
  const runtime = new Set<string>();
  const body = standaloneCode(ajv, validate).replace(
    /require\("ajv\/dist\/runtime\/(\w+)"\)\.default/g,
    (_match: string, name: string) => {
      runtime.add(name);
      return `runtime_${name}`;
    },
  );
  const imports = [...runtime]
    .sort()
    .map(
      (name) =>
        `import runtime_${name}_module from 'ajv/dist/runtime/${name}.js';\nconst runtime_${name} = runtime_${name}_module.default;`,
    );
  const exported = body.replace(
    /^"use strict";export const validate = (\w+);export default \w+;/,
    (_match: string, fn: string) =>
      `export const validateBaseSchema: BaseSchemaValidator = ${fn};\n`,
  );
  if (exported === body) throw new Error('unexpected ajv standalone output');
  return [
    '// FHIR R4 base structure (JSON Schema) of the resource types a referral may carry, compiled by ajv.',
    '/* eslint-disable */',
    '// @ts-nocheck',
    `// Generated by scripts/profiles/build-profiles.ts from ${base.source} with ajv ${ajvVersion}; do not edit.`,
    `// Fingerprint: ${schemaFingerprint(schema)}`,
    "import type { BaseSchemaValidator } from '../base-schema-types.js';",
    ...imports,
    exported,
  ].join('\n');
}
