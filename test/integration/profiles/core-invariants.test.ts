import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  compileCoreInvariants,
  type CoreInvariantChecker,
} from '../../../src/profiles/compile-core-invariants.js';
import { coreInvariants } from '../../../src/profiles/generated/core-invariants.js';
import { UNEVALUATED_INVARIANTS } from '../../../src/profiles/unevaluated-invariants.js';
import {
  compileFhirPath,
  loadProfiles,
  type ExpressionCompiler,
  type ValidationIssue,
} from '../../../src/profiles/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const readJson = (path: string): unknown => JSON.parse(readFileSync(`${ROOT}${path}`, 'utf8'));

interface FailingExample {
  readonly name: string;
  readonly resource: unknown;
  /** Every error the example must cause: [invariant key, expression]. */
  readonly errors: readonly (readonly [string, string])[];
}

const failing = readJson('test/fixtures/profiles/invariants/failing.json') as FailingExample[];
const validator = loadProfiles(`${ROOT}profiles`);
const checker: CoreInvariantChecker = compileCoreInvariants(compileFhirPath);

/** Errors as [invariant key or issue code, expression]. */
const errorsOf = (resource: unknown): [string, string][] =>
  validator
    .validate(resource)
    .filter((found: ValidationIssue) => found.severity === 'error')
    .map((found) => [
      found.code === 'invariant' ? (found.text.split(':')[0] ?? '') : found.code,
      found.expression,
    ]);

/** The keys the README lists as not evaluated from their FHIRPath expression. */
function readmeUnevaluatedKeys(): string[] {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## What is validated'));
  const start = section.indexOf('not evaluated from their FHIRPath expression');
  assert.ok(start > 0, 'the README says which invariants are not evaluated from FHIRPath');
  const block = section.slice(start, section.indexOf('\n\n', start));
  return [...block.matchAll(/^\s*- `([a-z]+-\d+)`/gm)].map((m) => m[1] ?? '');
}

const referral = (): Record<string, unknown> & { entry: { resource: Record<string, unknown> }[] } =>
  readJson('profiles/Bundle-referral-example.json') as ReturnType<typeof referral>;

const task = (extra: Record<string, unknown>): Record<string, unknown> => ({
  resourceType: 'Task',
  status: 'requested',
  intent: 'order',
  ...extra,
});

describe('the R4 invariants of datatypes and resources', () => {
  it('leaves out exactly the invariants the README lists, and no key that R4 does not define', () => {
    const listed = Object.keys(UNEVALUATED_INVARIANTS).sort();
    assert.deepEqual([...checker.unevaluated].sort(), listed);
    assert.deepEqual(readmeUnevaluatedKeys().sort(), listed);
    for (const key of listed) assert.ok(checker.keys.has(key), `${key} is an R4 invariant here`);
  });

  it('compiles every other invariant once, at load', () => {
    let compiled = 0;
    const counting: ExpressionCompiler = (expression, base) => {
      compiled += 1;
      return compileFhirPath(expression, base);
    };
    compileCoreInvariants(counting);
    const expected = Object.values(coreInvariants)
      .flat()
      .filter((invariant) => !Object.hasOwn(UNEVALUATED_INVARIANTS, invariant.key)).length;
    assert.equal(compiled, expected);
    assert.ok(compiled > 50);
  });

  it('has a failing example for every invariant it checks', () => {
    const checked = [...checker.keys].filter(
      (key) => UNEVALUATED_INVARIANTS[key]?.handling !== 'not checked',
    );
    const covered = new Set(failing.flatMap((example) => example.errors.map(([key]) => key)));
    covered.add('ele-1'); // test/fixtures/profiles/invalid/VawSurvivor-empty-element.json
    assert.deepEqual([...covered].sort(), checked.sort());
  });

  for (const example of failing) {
    it(`refuses ${example.name} (${example.errors.map(([key]) => key).join(', ')})`, () => {
      assert.deepEqual(errorsOf(example.resource), example.errors);
    });
  }

  it('accepts a prediction without a probability: ras-2 speaks only of a decimal probability', () => {
    const risk = {
      resourceType: 'RiskAssessment',
      status: 'final',
      subject: { reference: 'Patient/p' },
      prediction: [{ qualitativeRisk: { text: 'high' } }, { probabilityDecimal: 100 }],
    };
    assert.deepEqual(errorsOf(risk), []);
  });

  it('resolves local references against the container, so contained resources may refer to each other', () => {
    const resource = task({
      contained: [
        { resourceType: 'Patient', id: 'p', managingOrganization: { reference: '#o' } },
        { resourceType: 'Organization', id: 'o', name: 'x' },
      ],
      for: { reference: '#p' },
    });
    assert.deepEqual(errorsOf(resource), []);
  });

  it('accepts a contained resource that refers to its container with a bare #', () => {
    const resource = task({
      contained: [{ resourceType: 'Patient', id: 'p', managingOrganization: { reference: '#' } }],
    });
    assert.deepEqual(errorsOf(resource), []);
  });

  it('looks up no inherited Object member for names taken from the request', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
      const issues = validator.validate({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          {
            fullUrl: 'urn:uuid:5d1c9a0e-0000-4000-8000-000000000009',
            resource: { resourceType: name, [name]: {} },
          },
        ],
      });
      assert.ok(issues.length > 0 && issues.every((found) => found.code !== 'exception'));
    }
  });

  it('applies the invariants inside every entry of a Bundle, whatever its profile', () => {
    const bundle = referral();
    const task = bundle.entry[1]?.resource ?? {};
    task.executionPeriod = { start: '2025-03-10', end: '2025-03-01' };
    assert.deepEqual(errorsOf(bundle), [['per-1', 'Bundle.entry[1].resource.executionPeriod']]);
  });
});

describe('urn: references in a message', () => {
  it('refuses a urn:uuid that no entry has as its fullUrl, naming the element and not the value', () => {
    const bundle = referral();
    const dangling = 'urn:uuid:5d1c9a0e-0000-4000-8000-000000000000';
    (bundle.entry[1]?.resource ?? {}).focus = { reference: dangling };
    const issues = validator.validate(bundle).filter((found) => found.severity === 'error');
    assert.deepEqual(
      issues.map((found) => [found.code, found.expression]),
      [['not-found', 'Bundle.entry[1].resource.focus']],
    );
    assert.match(issues[0]?.text ?? '', /no entry's fullUrl matches/);
    assert.doesNotMatch(issues[0]?.text ?? '', /5d1c9a0e/);
  });

  it('refuses a dangling urn:oid, in a contained resource and in the signature too', () => {
    const bundle = referral();
    const patient = bundle.entry[3]?.resource ?? {};
    patient.contained = [
      { resourceType: 'Organization', id: 'o', partOf: { reference: 'urn:oid:1.2.3' } },
    ];
    patient.managingOrganization = { reference: '#o' };
    (bundle.signature as Record<string, unknown>).who = {
      reference: 'urn:uuid:5d1c9a0e-0000-4000-8000-000000000001',
    };
    assert.deepEqual(
      errorsOf(bundle).filter(([code]) => code === 'not-found'),
      [
        ['not-found', 'Bundle.entry[3].resource.contained[0].partOf'],
        ['not-found', 'Bundle.signature.who'],
      ],
    );
  });

  it('does not require resolution outside messages', () => {
    const collection = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          fullUrl: 'urn:uuid:5d1c9a0e-0000-4000-8000-000000000002',
          resource: task({ focus: { reference: 'urn:uuid:5d1c9a0e-0000-4000-8000-000000000003' } }),
        },
      ],
    };
    assert.deepEqual(errorsOf(collection), []);
  });
});
