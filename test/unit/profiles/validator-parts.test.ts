import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/kernel/errors.js';
import { pointerToFhirPath } from '../../../src/profiles/check-base-structure.js';
import { checkEmptyElements } from '../../../src/profiles/check-empty-elements.js';
import { jsonContains, jsonEquals } from '../../../src/profiles/json-value.js';
import { referenceTargetType } from '../../../src/profiles/reference-target.js';
import {
  assertConforms,
  type ProfileValidator,
  type ValidationIssue,
} from '../../../src/profiles/index.js';
import { grammarAccepts } from '../../../src/profiles/expand-value-sets.js';

const fixedValidator = (issues: ValidationIssue[]): ProfileValidator => ({
  packageId: 'test#0',
  profiles: [],
  validate: () => issues,
});

describe('profile validator parts', () => {
  it('turns JSON pointers into FHIRPath with indexes', () => {
    assert.equal(
      pointerToFhirPath('Bundle', '/entry/0/resource/status'),
      'Bundle.entry[0].resource.status',
    );
    assert.equal(pointerToFhirPath('Task', ''), 'Task');
    assert.equal(pointerToFhirPath('Task', '/a~1b'), 'Task.a/b');
  });

  it('matches fixed values exactly and patterns by containment', () => {
    assert.equal(jsonEquals({ a: [1, 2] }, { a: [1, 2] }), true);
    assert.equal(jsonEquals({ a: [1, 2] }, { a: [2, 1] }), false);
    assert.equal(jsonEquals({ a: 1, b: 2 }, { a: 1 }), false);
    const pattern = { coding: [{ system: 's', code: 'c' }] };
    assert.equal(
      jsonContains(
        {
          coding: [
            { system: 'x', code: 'y' },
            { system: 's', code: 'c', display: 'd' },
          ],
          text: 't',
        },
        pattern,
      ),
      true,
    );
    assert.equal(jsonContains({ coding: [{ system: 's', code: 'other' }] }, pattern), false);
  });

  it('finds reference targets by type name, in the Bundle and among contained resources', () => {
    const bundle = {
      resourceType: 'Bundle',
      entry: [{ fullUrl: 'urn:uuid:1', resource: { resourceType: 'Patient' } }],
    };
    const resource = {
      resourceType: 'Task',
      contained: [{ resourceType: 'Organization', id: 'o' }],
    };
    const scope = { resource, bundle };
    assert.equal(referenceTargetType({ reference: 'Organization/x' }, scope), 'Organization');
    assert.equal(
      referenceTargetType({ reference: 'https://h.example/fhir/Patient/p/_history/2' }, scope),
      'Patient',
    );
    assert.equal(referenceTargetType({ reference: 'urn:uuid:1' }, scope), 'Patient');
    assert.equal(referenceTargetType({ reference: 'urn:uuid:2' }, scope), undefined);
    assert.equal(referenceTargetType({ reference: '#o' }, scope), 'Organization');
    assert.equal(referenceTargetType({ identifier: { value: 'x' } }, scope), undefined);
  });

  it('refuses empty objects, empty arrays and nulls but allows primitive-extension fillers', () => {
    const issues: ValidationIssue[] = [];
    checkEmptyElements(
      { a: {}, b: [], c: null, given: ['x', null], _given: [null, { id: 'e' }] },
      'Patient',
      issues,
    );
    assert.deepEqual(issues.map((i) => i.expression).sort(), [
      'Patient.a',
      'Patient.b',
      'Patient.c',
    ]);
  });

  it('checks MIME type syntax for the grammar-based BCP 13', () => {
    assert.equal(grammarAccepts('urn:ietf:bcp:13', 'application/jose'), true);
    assert.equal(grammarAccepts('urn:ietf:bcp:13', 'application/fhir+json; fhirVersion=4.0'), true);
    assert.equal(grammarAccepts('urn:ietf:bcp:13', 'jose'), false);
  });

  it('throws ENLACE_PROFILE_INVALID with one issue per problem, and returns warnings alone', () => {
    const warning: ValidationIssue = {
      severity: 'warning',
      code: 'not-supported',
      text: 'w',
      expression: 'Task.meta.profile',
    };
    assert.deepEqual(assertConforms(fixedValidator([warning]), {}), [warning]);
    const errors: ValidationIssue[] = [
      {
        severity: 'error',
        code: 'required',
        text: 'Task.owner is required.',
        expression: 'Task.owner',
      },
      {
        severity: 'error',
        code: 'code-invalid',
        text: 'bad code',
        expression: 'Task.businessStatus',
      },
      warning,
    ];
    assert.throws(
      () => assertConforms(fixedValidator(errors), {}),
      (error: unknown) => {
        assert.ok(error instanceof GatewayError);
        assert.equal(error.code, 'ENLACE_PROFILE_INVALID');
        assert.equal(error.status, 422);
        assert.equal(
          error.message,
          'The resource does not conform (2 problems); first: Task.owner is required.',
        );
        assert.deepEqual(error.expression, ['Task.owner', 'Task.businessStatus']);
        assert.deepEqual(
          error.issues.map((i) => [i.severity, i.code, i.expression]),
          [
            ['error', 'required', ['Task.owner']],
            ['error', 'code-invalid', ['Task.businessStatus']],
            ['warning', 'not-supported', ['Task.meta.profile']],
          ],
        );
        return true;
      },
    );
  });
});
