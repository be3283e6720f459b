import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileCoreInvariants } from '../../../src/profiles/compile-core-invariants.js';
import { compileFhirPath } from '../../../src/profiles/compile-expression.js';
import { coreInvariants } from '../../../src/profiles/generated/core-invariants.js';
import { INVARIANT_PRECONDITIONS } from '../../../src/profiles/invariant-preconditions.js';
import type { JsonObject, JsonValue } from '../../../src/profiles/json-value.js';

const checker = compileCoreInvariants(compileFhirPath);

/** Where each invariant with a precondition is defined, and how %resource relates to its node. */
const PATHS: Readonly<Record<string, { readonly path: string; readonly onResource: boolean }>> = {
  'ref-1': { path: 'Reference', onResource: false },
  'dom-2': { path: 'DomainResource', onResource: true },
  'dom-4': { path: 'DomainResource', onResource: true },
  'dom-5': { path: 'DomainResource', onResource: true },
  'bdl-3': { path: 'Bundle', onResource: true },
  'bdl-4': { path: 'Bundle', onResource: true },
  'bdl-5': { path: 'Bundle.entry', onResource: false },
  'bdl-8': { path: 'Bundle.entry', onResource: false },
  'bdl-1': { path: 'Bundle', onResource: true },
  'bdl-2': { path: 'Bundle', onResource: true },
  'bdl-9': { path: 'Bundle', onResource: true },
  'bdl-10': { path: 'Bundle', onResource: true },
  'bdl-11': { path: 'Bundle', onResource: true },
  'cpt-2': { path: 'ContactPoint', onResource: false },
  'ras-2': { path: 'RiskAssessment.prediction', onResource: false },
  'prr-1': { path: 'ServiceRequest', onResource: true },
  'inv-1': { path: 'Task', onResource: true },
};

const compiled = (key: string) => {
  const at = PATHS[key];
  assert.ok(at !== undefined, `${key} has a known path`);
  const invariant = checker.byPath.get(at.path)?.find((candidate) => candidate.key === key);
  assert.ok(invariant !== undefined, `${key} is compiled on ${at.path}`);
  return { invariant, onResource: at.onResource };
};

/** What the FHIRPath evaluation says: 'fail' when it yields false or throws. */
function outcome(key: string, node: JsonValue, container: JsonObject): 'pass' | 'fail' {
  const { invariant, onResource } = compiled(key);
  const resource = onResource ? node : container;
  try {
    const result = invariant.evaluate(node, { resource, rootResource: resource });
    return result.includes(false) ? 'fail' : 'pass';
  } catch {
    return 'fail';
  }
}

// Values chosen around each precondition's edges: '#' prefixes, '/_history/', the Bundle types
// the expressions name, present and absent children, `_` extensions, and values of the wrong kind.
const text = fc.constantFrom(
  '#',
  '#c1',
  '#missing',
  'Patient/1',
  'urn:uuid:1',
  'https://x.example/fhir/Patient/1/_history/2',
  'https://x.example/fhir/Patient/1',
  '',
);
const extension = fc.constant({ extension: [{ url: 'https://x.example/e', valueString: 'x' }] });
const scalar = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), extension);
const bundleType = fc.constantFrom(
  'message',
  'document',
  'batch',
  'transaction',
  'history',
  'batch-response',
  'transaction-response',
  'searchset',
  'collection',
);
const meta = fc.record(
  {
    versionId: fc.constant('1'),
    lastUpdated: fc.constant('2025-01-01T00:00:00Z'),
    security: fc.constant([{ system: 'https://x.example/s', code: 'c' }]),
  },
  { requiredKeys: [] },
);
const containedResource = fc.record(
  {
    resourceType: fc.constant('Patient'),
    id: fc.constantFrom('c1', 'c2'),
    meta,
    contained: fc.constant([{ resourceType: 'Patient', id: 'c3' }]),
  },
  { requiredKeys: ['resourceType'] },
);
const contained = fc.oneof(fc.array(containedResource, { maxLength: 2 }), containedResource);
const reference = fc.record(
  { reference: scalar, _reference: extension, display: text, type: fc.constant('Patient') },
  { requiredKeys: [] },
);
const entry = fc.record(
  {
    fullUrl: scalar,
    _fullUrl: extension,
    resource: fc.oneof(fc.constant({ resourceType: 'Patient', id: 'p' }), fc.constant({})),
    request: fc.constant({ method: 'POST', url: 'Patient' }),
    response: fc.constant({ status: '201' }),
    search: fc.constant({ mode: 'match' }),
  },
  { requiredKeys: [] },
);
const entries = fc.oneof(fc.array(entry, { maxLength: 3 }), entry, fc.constant([1]));
const bundle = fc.record(
  {
    resourceType: fc.constant('Bundle'),
    type: fc.oneof(bundleType, scalar),
    entry: entries,
    contained,
    total: fc.oneof(fc.constant(3), scalar),
    _total: extension,
    identifier: fc.constantFrom({ system: 'https://x.example/id', value: '1' }, { value: '1' }),
    timestamp: fc.oneof(fc.constant('2025-03-12T11:59:00Z'), scalar),
  },
  { requiredKeys: ['resourceType'] },
);
const domainResource = fc.record(
  { resourceType: fc.constant('Patient'), id: fc.constant('p'), contained, meta },
  { requiredKeys: ['resourceType'] },
);
const container = fc.record(
  { resourceType: fc.constant('Patient'), contained },
  { requiredKeys: ['resourceType'] },
);

const date = fc.constantFrom('2025-03-12', '2025-03-10T10:00:00Z', '2025-03-14');
const contactPoint = fc.record(
  { value: scalar, _value: extension, system: fc.oneof(fc.constant('phone'), scalar) },
  { requiredKeys: [] },
);
const prediction = fc.record(
  {
    probabilityDecimal: fc.oneof(fc.constantFrom(5, 100, 150), scalar),
    _probabilityDecimal: extension,
    probabilityRange: fc.constant({ low: { value: 1 } }),
    qualitativeRisk: fc.constant({ text: 'high' }),
  },
  { requiredKeys: [] },
);
const serviceRequest = fc.record(
  {
    resourceType: fc.constant('ServiceRequest'),
    orderDetail: fc.constant([{ text: 'd' }]),
    code: fc.constant({ text: 'c' }),
  },
  { requiredKeys: ['resourceType'] },
);
const task = fc.record(
  {
    resourceType: fc.constant('Task'),
    lastModified: fc.oneof(date, scalar),
    _lastModified: extension,
    authoredOn: date,
  },
  { requiredKeys: ['resourceType'] },
);

/** The generated values are JSON by construction. */
const json = (nodes: fc.Arbitrary<unknown>) => nodes as fc.Arbitrary<JsonObject>;

const NODES: Readonly<Record<string, fc.Arbitrary<JsonObject>>> = {
  'ref-1': json(reference),
  'dom-2': json(domainResource),
  'dom-4': json(domainResource),
  'dom-5': json(domainResource),
  'bdl-3': json(bundle),
  'bdl-4': json(bundle),
  'bdl-5': json(entry),
  'bdl-8': json(entry),
  'bdl-1': json(bundle),
  'bdl-2': json(bundle),
  'bdl-9': json(bundle),
  'bdl-10': json(bundle),
  'bdl-11': json(bundle),
  'cpt-2': json(contactPoint),
  'ras-2': json(prediction),
  'prr-1': json(serviceRequest),
  'inv-1': json(task),
};

describe('the preconditions that let a core invariant go unevaluated', () => {
  it('are each proven against the exact expression the generated table holds', () => {
    for (const [key, precondition] of INVARIANT_PRECONDITIONS) {
      const defined = Object.values(coreInvariants)
        .flat()
        .filter((invariant) => invariant.key === key);
      assert.equal(defined.length, 1, `${key} is defined once`);
      assert.equal(defined[0]?.expression, precondition.expression);
      assert.ok(NODES[key] !== undefined, `${key} has a generator in this test`);
    }
  });

  for (const key of Object.keys(NODES)) {
    it(`skips ${key} only where its FHIRPath expression passes, and runs it where it fails`, () => {
      const precondition = INVARIANT_PRECONDITIONS.get(key);
      const nodes = NODES[key];
      assert.ok(precondition !== undefined && nodes !== undefined);
      let skipped = 0;
      let failing = 0;
      fc.assert(
        fc.property(nodes, json(container), (node, around) => {
          const result = outcome(key, node, around);
          if (!precondition.mayFail(node)) {
            skipped += 1;
            assert.equal(result, 'pass', `${key} was skipped on ${JSON.stringify(node)}`);
          } else if (result === 'fail') {
            failing += 1;
          }
        }),
        { numRuns: 2000, seed: 11 },
      );
      // Why: a generator that never reached one side would prove nothing about it.
      assert.ok(skipped > 10, `${key}: ${String(skipped)} nodes skipped`);
      assert.ok(failing > 0, `${key}: ${String(failing)} failing nodes evaluated`);
    });
  }

  it('skips the invariants of a conformant referral that only apply to what it lacks', () => {
    const referralBundle: JsonObject = {
      resourceType: 'Bundle',
      type: 'message',
      entry: [{ fullUrl: 'urn:uuid:1', resource: { resourceType: 'Patient', id: 'p' } }],
    };
    const first = (referralBundle.entry as JsonObject[])[0] as JsonObject;
    for (const [key, node] of [
      ['bdl-3', referralBundle],
      ['bdl-4', referralBundle],
      ['dom-2', referralBundle],
      ['bdl-5', first],
      ['bdl-8', first],
      ['ref-1', { reference: 'urn:uuid:1' }],
    ] as const) {
      assert.equal(INVARIANT_PRECONDITIONS.get(key)?.mayFail(node), false, key);
    }
    assert.equal(INVARIANT_PRECONDITIONS.get('ref-1')?.mayFail({ reference: '#x' }), true);
    assert.equal(
      INVARIANT_PRECONDITIONS.get('bdl-3')?.mayFail({ ...referralBundle, type: 'transaction' }),
      true,
    );
  });
});
