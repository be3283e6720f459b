import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  compileFhirPath,
  loadProfiles,
  PROFILE_URLS,
  type ExpressionCompiler,
} from '../../../src/profiles/index.js';

const PROFILES = fileURLToPath(new URL('../../../profiles/', import.meta.url));
const referral = JSON.parse(
  readFileSync(`${PROFILES}Bundle-referral-example.json`, 'utf8'),
) as unknown;

describe('loadProfiles', () => {
  it('compiles every invariant at load and never while validating', () => {
    let compiled = 0;
    const counting: ExpressionCompiler = (expression, base) => {
      compiled += 1;
      return compileFhirPath(expression, base);
    };
    const validator = loadProfiles(PROFILES, { compileExpression: counting });
    const atLoad = compiled;
    assert.ok(atLoad > 0);
    for (let i = 0; i < 5; i += 1) {
      assert.deepEqual(validator.validate(referral, PROFILE_URLS.referralMessage), []);
    }
    assert.equal(compiled, atLoad);
  });

  it('loads the Enlace package with all its profiles', () => {
    const validator = loadProfiles(PROFILES);
    assert.equal(validator.packageId, 'enlace.fhir.vaw#0.1.0');
    assert.deepEqual([...validator.profiles].sort(), Object.values(PROFILE_URLS).sort());
  });

  it('refuses to validate against a profile it has not loaded', () => {
    const validator = loadProfiles(PROFILES);
    assert.throws(() =>
      validator.validate(referral, 'https://example.org/StructureDefinition/Nope'),
    );
  });

  it('checks only the base structure of a resource that claims no profile', () => {
    const validator = loadProfiles(PROFILES);
    assert.deepEqual(validator.validate({ resourceType: 'Patient', name: [{ family: 'X' }] }), []);
    assert.deepEqual(
      validator.validate({ resourceType: 'Patient', gender: 'woman' }).map((i) => i.expression),
      ['Patient.gender'],
    );
  });

  it('warns about a claimed profile it does not know', () => {
    const validator = loadProfiles(PROFILES);
    const issues = validator.validate({
      resourceType: 'Patient',
      meta: { profile: ['https://example.org/StructureDefinition/Other'] },
    });
    assert.deepEqual(
      issues.map((i) => [i.severity, i.code, i.expression]),
      [['warning', 'not-supported', 'Patient.meta.profile']],
    );
  });
});
