// Dev-time: every file `npm run profiles:build` derives — snapshots, the package index, core ValueSet expansions.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeSystemConcept, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { format, resolveConfig } from 'prettier';
import type { BaseDefinitions } from './base-definitions.js';
import { generateSnapshot } from './generate-snapshot.js';

export interface Artifact {
  /** Path relative to the repository root. */
  readonly path: string;
  readonly content: string;
}

interface PackageFile {
  readonly filename: string;
  readonly resource: Record<string, unknown> & { resourceType: string; id?: string };
}

export const toJsonText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** The FHIR resources at the package root (`<Type>-<id>.json`), sorted by file name. */
export function readPackageFiles(profilesDir: string): PackageFile[] {
  return readdirSync(profilesDir)
    .filter((name) => name.endsWith('.json') && name !== 'package.json' && !name.startsWith('.'))
    .sort()
    .map((filename) => ({
      filename,
      resource: JSON.parse(
        readFileSync(join(profilesDir, filename), 'utf8'),
      ) as PackageFile['resource'],
    }));
}

const isStructureDefinition = (
  resource: PackageFile['resource'],
): resource is PackageFile['resource'] & StructureDefinition =>
  resource.resourceType === 'StructureDefinition';

/** Each StructureDefinition file with its snapshot regenerated from its differential. */
export function buildSnapshots(profilesDir: string, base: BaseDefinitions): Artifact[] {
  const files = readPackageFiles(profilesDir);
  const profileTypes = new Map<string, string>();
  for (const { resource } of files) {
    if (isStructureDefinition(resource)) profileTypes.set(resource.url, resource.type);
  }
  return files.flatMap(({ filename, resource }) =>
    isStructureDefinition(resource)
      ? [
          {
            path: join('profiles', filename),
            content: toJsonText(generateSnapshot(resource, base, profileTypes)),
          },
        ]
      : [],
  );
}

/** `.index.json` (FHIR NPM package spec, index-version 2) over the package-root resources. */
export function buildPackageIndex(profilesDir: string): Artifact {
  const files = readPackageFiles(profilesDir).map(({ filename, resource }) => {
    const entry: Record<string, unknown> = { filename, resourceType: resource.resourceType };
    for (const key of ['id', 'url', 'version', 'kind', 'type', 'supplements', 'content']) {
      if (typeof resource[key] === 'string') entry[key] = resource[key];
    }
    return entry;
  });
  return {
    path: join('profiles', '.index.json'),
    content: toJsonText({ 'index-version': 2, files }),
  };
}

const withoutVersion = (canonical: string): string => canonical.split('|')[0] ?? canonical;

function allConcepts(concepts: readonly CodeSystemConcept[] | undefined): string[] {
  return (concepts ?? []).flatMap((c) => [c.code, ...allConcepts(c.concept)]);
}

/**
 * Grammar-based code systems cannot be enumerated; the validator checks their syntax instead.
 * Only BCP 13 (MIME types, bound by Signature.sigFormat and targetFormat) is needed today.
 */
export const GRAMMAR_SYSTEMS = new Set(['urn:ietf:bcp:13']);

export interface CoreExpansion {
  /** `system|code` */
  codes: string[];
  /** Grammar-based systems whose every syntactically valid code is included. */
  grammars: string[];
}

/** Expands a core ValueSet from valuesets.json; refuses filters and incomplete CodeSystems. */
function expandCore(url: string, base: BaseDefinitions, seen: Set<string>): CoreExpansion {
  if (seen.has(url)) throw new Error(`ValueSet ${url} includes itself`);
  const valueSet: ValueSet | undefined = base.valueSets.get(url);
  if (valueSet?.compose === undefined) throw new Error(`cannot expand core ValueSet ${url}`);
  const codes = new Set<string>();
  const grammars = new Set<string>();
  const collect = (
    target: Set<string>,
    include: NonNullable<ValueSet['compose']>['include'][number],
  ): void => {
    if (include.filter !== undefined) throw new Error(`ValueSet ${url}: filters are not supported`);
    for (const nested of include.valueSet ?? []) {
      const expansion = expandCore(withoutVersion(nested), base, new Set([...seen, url]));
      for (const code of expansion.codes) target.add(code);
      for (const grammar of expansion.grammars) grammars.add(grammar);
    }
    if (include.system === undefined) return;
    if (include.concept === undefined && GRAMMAR_SYSTEMS.has(include.system)) {
      if (target !== codes)
        throw new Error(`ValueSet ${url}: cannot exclude from ${include.system}`);
      grammars.add(include.system);
      return;
    }
    if (include.concept !== undefined) {
      for (const concept of include.concept) target.add(`${include.system}|${concept.code}`);
      return;
    }
    const system =
      base.codeSystems.get(include.system) ?? base.codeSystems.get(withoutVersion(include.system));
    if (system?.content !== 'complete') {
      throw new Error(`ValueSet ${url}: CodeSystem ${include.system} is not available complete`);
    }
    for (const code of allConcepts(system.concept)) target.add(`${include.system}|${code}`);
  };
  for (const include of valueSet.compose.include) collect(codes, include);
  const excluded = new Set<string>();
  for (const exclude of valueSet.compose.exclude ?? []) collect(excluded, exclude);
  return {
    codes: [...codes].filter((code) => !excluded.has(code)).sort(),
    grammars: [...grammars].sort(),
  };
}

/**
 * The core ValueSets that the snapshots bind with strength required, expanded at build time so
 * the gateway needs no terminology server and no 9 MB valuesets.json at start.
 */
export async function buildCoreValueSets(
  snapshots: readonly StructureDefinition[],
  ownValueSets: ReadonlySet<string>,
  base: BaseDefinitions,
): Promise<Artifact> {
  const urls = new Set<string>();
  for (const sd of snapshots) {
    for (const element of sd.snapshot?.element ?? []) {
      const binding = element.binding;
      if (binding?.strength !== 'required' || binding.valueSet === undefined) continue;
      const url = withoutVersion(binding.valueSet);
      if (!ownValueSets.has(url)) urls.add(url);
    }
  }
  const expansions = Object.fromEntries(
    [...urls].sort().map((url) => [url, expandCore(url, base, new Set())]),
  );
  const path = join('src', 'profiles', 'generated', 'core-value-sets.ts');
  const source = [
    '// Expansions of the core FHIR R4 ValueSets that Enlace profiles bind with strength required.',
    `// Generated by scripts/profiles/build-profiles.ts from ${base.source}; do not edit.`,
    '',
    '/** ValueSet canonical URL → its codes (`system|code`) and the grammar-based systems it includes whole. */',
    `export const coreValueSets: Readonly<Record<string, { readonly codes: readonly string[]; readonly grammars: readonly string[] }>> = ${JSON.stringify(expansions)};`,
    '',
  ].join('\n');
  return { path, content: await formatTypeScript(source, path) };
}

export async function formatTypeScript(source: string, path: string): Promise<string> {
  const config = (await resolveConfig(path)) ?? {};
  return format(source, { ...config, filepath: path });
}
