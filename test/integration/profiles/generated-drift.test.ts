import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StructureDefinition } from '@medplum/fhirtypes';
import { loadBaseDefinitions } from '../../../scripts/profiles/base-definitions.js';
import {
  FINGERPRINT_PATTERN,
  narrowSchema,
  schemaFingerprint,
} from '../../../scripts/profiles/generate-base-validator.js';
import { buildCoreInvariants } from '../../../scripts/profiles/generate-core-invariants.js';
import {
  buildCoreValueSets,
  buildPackageIndex,
  buildSnapshots,
  readPackageFiles,
} from '../../../scripts/profiles/profile-artifacts.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROFILES = `${ROOT}profiles`;
const committed = (path: string): string => readFileSync(`${ROOT}${path}`, 'utf8');
const fix = "run 'npm run profiles:build' and commit the result";

describe('generated profile artifacts', () => {
  const base = loadBaseDefinitions();
  const snapshots = buildSnapshots(PROFILES, base);

  it('has a committed snapshot equal to a fresh generation for every StructureDefinition', () => {
    assert.ok(snapshots.length >= 8);
    for (const artifact of snapshots) {
      assert.equal(committed(artifact.path), artifact.content, `${artifact.path} drifted; ${fix}`);
    }
  });

  it('keeps profiles/.index.json consistent with the package files', () => {
    const index = buildPackageIndex(PROFILES);
    assert.equal(committed(index.path), index.content, `.index.json drifted; ${fix}`);
    const listed = (JSON.parse(index.content) as { files: { filename: string }[] }).files;
    assert.deepEqual(
      listed.map((f) => f.filename),
      readPackageFiles(PROFILES).map((f) => f.filename),
    );
  });

  it('keeps the core ValueSet expansions in step with the snapshots', async () => {
    const own = new Set(
      readPackageFiles(PROFILES)
        .filter(({ resource }) => resource.resourceType === 'ValueSet')
        .map(({ resource }) => String(resource.url)),
    );
    const artifact = await buildCoreValueSets(
      snapshots.map((a) => JSON.parse(a.content) as StructureDefinition),
      own,
      base,
    );
    assert.equal(committed(artifact.path), artifact.content, `${artifact.path} drifted; ${fix}`);
  });

  it('keeps the table of R4 invariants in step with the base definitions', async () => {
    const artifact = await buildCoreInvariants(base);
    assert.equal(committed(artifact.path), artifact.content, `${artifact.path} drifted; ${fix}`);
  });

  it('compiled the base-structure validator from the current schema, ajv and options', () => {
    const source = committed('src/profiles/generated/base-schema-validator.ts');
    const recorded = FINGERPRINT_PATTERN.exec(source)?.[1];
    assert.equal(recorded, schemaFingerprint(narrowSchema(base)), `validator drifted; ${fix}`);
  });
});
