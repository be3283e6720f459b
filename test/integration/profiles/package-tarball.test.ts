import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROFILES = fileURLToPath(new URL('../../../profiles/', import.meta.url));
const manifest = JSON.parse(readFileSync(`${PROFILES}package.json`, 'utf8')) as Record<
  string,
  unknown
>;
const resources = readdirSync(PROFILES).filter(
  (name) => name.endsWith('.json') && name !== 'package.json' && !name.startsWith('.'),
);

interface PackResult {
  readonly id: string;
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

const npm = (args: readonly string[]): string =>
  execFileSync('npm', args, {
    cwd: PROFILES,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
  });

describe('profiles/ as an NPM-style FHIR package', () => {
  it('has the manifest FHIR tooling reads', () => {
    assert.equal(manifest.name, 'enlace.fhir.vaw');
    assert.match(String(manifest.version), /^\d+\.\d+\.\d+$/);
    assert.equal(manifest.canonical, 'https://enlace.example.org/fhir');
    assert.equal(typeof manifest.url, 'string');
    assert.deepEqual(manifest.fhirVersions, ['4.0.1']);
    assert.deepEqual(manifest.dependencies, { 'hl7.fhir.r4.core': '4.0.1' });
    assert.equal(manifest.type, 'fhir.ig');
    for (const key of ['title', 'description', 'author', 'license']) {
      assert.equal(typeof manifest[key], 'string', key);
    }
  });

  it('indexes every resource in .index.json with the fields of index-version 2', () => {
    const index = JSON.parse(readFileSync(`${PROFILES}.index.json`, 'utf8')) as {
      'index-version': number;
      files: Record<string, string>[];
    };
    assert.equal(index['index-version'], 2);
    assert.deepEqual(index.files.map((f) => f.filename).sort(), [...resources].sort());
    for (const entry of index.files) {
      const resource = JSON.parse(
        readFileSync(`${PROFILES}${entry.filename ?? ''}`, 'utf8'),
      ) as Record<string, unknown>;
      assert.equal(entry.resourceType, resource.resourceType);
      assert.equal(entry.id, resource.id);
      for (const key of ['url', 'version', 'kind', 'type']) {
        assert.equal(
          entry[key],
          typeof resource[key] === 'string' ? resource[key] : undefined,
          key,
        );
      }
    }
  });

  it('packs with npm into a tarball of package/ holding every resource, the manifest and the index', () => {
    const [dry] = JSON.parse(npm(['pack', '--dry-run', '--json'])) as PackResult[];
    assert.ok(dry !== undefined);
    assert.equal(dry.id, `${String(manifest.name)}@${String(manifest.version)}`);
    const packed = dry.files.map((f) => f.path).sort();
    assert.deepEqual(packed, ['.index.json', 'package.json', ...resources].sort());

    const out = mkdtempSync(join(tmpdir(), 'enlace-pack-'));
    try {
      const [result] = JSON.parse(
        npm(['pack', '--json', '--pack-destination', out]),
      ) as PackResult[];
      const entries = execFileSync('tar', ['-tzf', join(out, result?.filename ?? '')], {
        encoding: 'utf8',
      })
        .split('\n')
        .filter((line) => line !== '')
        .sort();
      assert.deepEqual(
        entries,
        packed.map((path) => `package/${path}`),
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
