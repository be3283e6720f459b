import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadProfiles, type ValidationIssue } from '../../../src/profiles/index.js';

const PROFILES = fileURLToPath(new URL('../../../profiles/', import.meta.url));
const INVALID = fileURLToPath(new URL('../../fixtures/profiles/invalid/', import.meta.url));
const CONFORMANCE = new Set(['StructureDefinition', 'CodeSystem', 'ValueSet']);

interface Expectation {
  readonly code: string;
  readonly expression: string;
  /** Invariant key the issue text starts with. */
  readonly key?: string;
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));
const validator = loadProfiles(PROFILES);

const examples = readdirSync(PROFILES)
  .filter((name) => name.endsWith('.json') && name !== 'package.json' && !name.startsWith('.'))
  .filter((name) => !CONFORMANCE.has(name.split('-')[0] ?? ''));
const expectations = readJson(`${INVALID}expectations.json`) as Record<string, Expectation>;
const errorsOf = (issues: readonly ValidationIssue[]): ValidationIssue[] =>
  issues.filter((found) => found.severity === 'error');

describe('profile examples', () => {
  it('has an example for every profile', () => {
    const claimed = new Set(
      examples.flatMap((name) => {
        const resource = readJson(`${PROFILES}${name}`) as { meta?: { profile?: string[] } };
        return resource.meta?.profile ?? [];
      }),
    );
    for (const url of validator.profiles) assert.ok(claimed.has(url), `no example claims ${url}`);
  });

  for (const name of examples) {
    it(`accepts ${name}`, () => {
      assert.deepEqual(errorsOf(validator.validate(readJson(`${PROFILES}${name}`))), []);
    });
  }
});

describe('invalid profile examples', () => {
  it('states an expectation for every invalid file, and every expectation has its file', () => {
    const files = readdirSync(INVALID).filter((n) => n !== 'expectations.json');
    assert.deepEqual(files.sort(), Object.keys(expectations).sort());
  });

  for (const [name, expected] of Object.entries(expectations)) {
    it(`refuses ${name} with ${expected.code} at ${expected.expression}`, () => {
      const issues = errorsOf(validator.validate(readJson(`${INVALID}${name}`)));
      const profile = name.split('-')[0] ?? '';
      assert.ok(
        validator.profiles.some((url) => url.endsWith(`/${profile}`)),
        `${profile} is a profile`,
      );
      const hit = issues.find(
        (found) =>
          found.code === expected.code &&
          found.expression === expected.expression &&
          (expected.key === undefined || found.text.startsWith(`${expected.key}: `)),
      );
      assert.ok(hit, `expected ${JSON.stringify(expected)} among ${JSON.stringify(issues)}`);
    });
  }
});
