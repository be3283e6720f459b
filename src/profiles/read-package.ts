// Reads a FHIR NPM package directory: its manifest and the conformance resources at its root.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeSystem, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { isJsonObject } from './json-value.js';

export interface FhirPackage {
  readonly name: string;
  readonly version: string;
  readonly structureDefinitions: readonly StructureDefinition[];
  readonly valueSets: ReadonlyMap<string, ValueSet>;
  readonly codeSystems: ReadonlyMap<string, CodeSystem>;
}

export class PackageError extends Error {
  override readonly name = 'PackageError';
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (cause) {
    throw new PackageError(`${file} is not readable JSON`, { cause });
  }
}

/** Loads `package.json` (FHIR 4.0.1 only) and every `*.json` resource beside it. */
export function readPackage(dir: string): FhirPackage {
  const manifest = readJson(join(dir, 'package.json'));
  if (
    !isJsonObject(manifest) ||
    typeof manifest.name !== 'string' ||
    typeof manifest.version !== 'string'
  ) {
    throw new PackageError(`${dir}/package.json lacks a name or version`);
  }
  const fhirVersions = manifest.fhirVersions;
  if (!Array.isArray(fhirVersions) || !fhirVersions.includes('4.0.1')) {
    throw new PackageError(`${dir}/package.json does not declare fhirVersions ["4.0.1"]`);
  }
  const structureDefinitions: StructureDefinition[] = [];
  const valueSets = new Map<string, ValueSet>();
  const codeSystems = new Map<string, CodeSystem>();
  const files = readdirSync(dir).filter(
    (f) => f.endsWith('.json') && f !== 'package.json' && !f.startsWith('.'),
  );
  for (const file of files.sort()) {
    const resource = readJson(join(dir, file));
    if (!isJsonObject(resource)) throw new PackageError(`${file} is not a FHIR resource`);
    if (resource.resourceType === 'StructureDefinition') {
      structureDefinitions.push(resource as unknown as StructureDefinition);
    } else if (resource.resourceType === 'ValueSet' && typeof resource.url === 'string') {
      valueSets.set(resource.url, resource as unknown as ValueSet);
    } else if (resource.resourceType === 'CodeSystem' && typeof resource.url === 'string') {
      codeSystems.set(resource.url, resource as unknown as CodeSystem);
    }
  }
  return {
    name: manifest.name,
    version: manifest.version,
    structureDefinitions,
    valueSets,
    codeSystems,
  };
}
