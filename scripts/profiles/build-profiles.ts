// Regenerates profile snapshots, profiles/.index.json and src/profiles/generated/, or with --check fails on drift.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StructureDefinition } from '@medplum/fhirtypes';
import { loadBaseDefinitions } from './base-definitions.js';
import { generateBaseValidatorSource } from './generate-base-validator.js';
import { buildCoreInvariants } from './generate-core-invariants.js';
import {
  buildCoreValueSets,
  buildPackageIndex,
  buildSnapshots,
  formatTypeScript,
  readPackageFiles,
  type Artifact,
} from './profile-artifacts.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const profilesDir = join(root, 'profiles');
const check = process.argv.includes('--check');

async function main(): Promise<number> {
  const base = loadBaseDefinitions();
  const snapshots = buildSnapshots(profilesDir, base);
  const ownValueSets = new Set(
    readPackageFiles(profilesDir)
      .filter(({ resource }) => resource.resourceType === 'ValueSet')
      .map(({ resource }) => String(resource.url)),
  );
  const validatorPath = join('src', 'profiles', 'generated', 'base-schema-validator.ts');
  const artifacts: Artifact[] = [
    ...snapshots,
    buildPackageIndex(profilesDir),
    await buildCoreValueSets(
      snapshots.map((a) => JSON.parse(a.content) as StructureDefinition),
      ownValueSets,
      base,
    ),
    await buildCoreInvariants(base),
    {
      path: validatorPath,
      content: await formatTypeScript(generateBaseValidatorSource(base), validatorPath),
    },
  ];
  let drifted = 0;
  for (const artifact of artifacts) {
    const file = join(root, artifact.path);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (current === artifact.content) continue;
    if (check) {
      drifted += 1;
      process.stderr.write(`profiles: ${artifact.path} differs from a fresh generation\n`);
    } else {
      writeFileSync(file, artifact.content);
      process.stdout.write(`profiles: wrote ${artifact.path}\n`);
    }
  }
  if (drifted > 0) {
    process.stderr.write("profiles: run 'npm run profiles:build' and commit the result\n");
    return 1;
  }
  process.stdout.write(
    `profiles: ${artifacts.length} generated files ${check ? 'match' : 'up to date'}\n`,
  );
  return 0;
}

process.exitCode = await main();
