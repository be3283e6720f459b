// Regenerates the Bruno collection in collection/ from openapi/enlace.yaml, or with --check fails on drift.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { buildCollection, type OpenApiDocument } from './openapi-to-bruno.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OPENAPI_FILE = join(ROOT, 'openapi/enlace.yaml');
export const COLLECTION_DIR = join(ROOT, 'collection');

/** Every file under `dir`, relative to it ('/'-separated); none when it does not exist. */
export function filesUnder(dir: string, base = dir): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory()
      ? filesUnder(path, base)
      : [relative(base, path).split('\\').join('/')];
  });
}

/** The collection the document in `openapiFile` describes: path under collection/ → content. */
export function generateCollection(openapiFile = OPENAPI_FILE): ReadonlyMap<string, string> {
  const document = parseYaml(readFileSync(openapiFile, 'utf8')) as OpenApiDocument;
  return buildCollection(document, dirname(openapiFile)).files;
}

/** What differs between the generated collection and `dir`: changed, missing and stray files. */
export function collectionDrift(expected: ReadonlyMap<string, string>, dir: string): string[] {
  const present = new Set(filesUnder(dir));
  const drift: string[] = [];
  for (const [path, content] of expected) {
    if (!present.has(path)) drift.push(`${path} is missing`);
    else if (readFileSync(join(dir, path), 'utf8') !== content) drift.push(`${path} differs`);
  }
  for (const path of [...present].sort()) {
    if (!expected.has(path)) drift.push(`${path} is not generated from the document`);
  }
  return drift;
}

/** Writes the collection to `dir`, removing files that no operation produces any more. */
export function writeCollection(expected: ReadonlyMap<string, string>, dir: string): void {
  for (const path of filesUnder(dir)) {
    if (!expected.has(path)) rmSync(join(dir, path));
  }
  for (const [path, content] of expected) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory() && filesUnder(path).length === 0) {
      rmSync(path, { recursive: true });
    }
  }
}

function main(): number {
  const expected = generateCollection();
  if (process.argv.includes('--check')) {
    const drift = collectionDrift(expected, COLLECTION_DIR);
    for (const line of drift) process.stderr.write(`collection: ${line}\n`);
    if (drift.length > 0) {
      process.stderr.write("collection: run 'npm run collection:build' and commit the result\n");
      return 1;
    }
    process.stdout.write(`collection: ${expected.size} files match openapi/enlace.yaml\n`);
    return 0;
  }
  writeCollection(expected, COLLECTION_DIR);
  process.stdout.write(`collection: wrote ${expected.size} files to collection/\n`);
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main();
}
