import assert from 'node:assert/strict';
import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import { loadBaseDefinitions } from '../../../scripts/profiles/base-definitions.js';
import { generateSnapshot } from '../../../scripts/profiles/generate-snapshot.js';

const base = loadBaseDefinitions();
const profile = (element: ElementDefinition[]): StructureDefinition => ({
  resourceType: 'StructureDefinition',
  url: 'https://example.org/StructureDefinition/T',
  name: 'T',
  status: 'draft',
  kind: 'resource',
  abstract: false,
  type: 'Task',
  baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Task',
  derivation: 'constraint',
  differential: { element },
});
const generate = (sd: StructureDefinition): StructureDefinition =>
  generateSnapshot(sd, base, new Map());

describe('the snapshot generator', () => {
  it('narrows cardinality and appends constraints over the base snapshot', () => {
    const sd = generate(
      profile([
        {
          id: 'Task',
          path: 'Task',
          constraint: [{ key: 't-1', severity: 'error', human: 'h', expression: 'true' }],
        },
        { id: 'Task.owner', path: 'Task.owner', min: 1 },
      ]),
    );
    const elements = sd.snapshot?.element ?? [];
    assert.equal(elements.find((e) => e.id === 'Task.owner')?.min, 1);
    const keys = elements[0]?.constraint?.map((c) => c.key) ?? [];
    assert.ok(keys.includes('dom-2') && keys.at(-1) === 't-1');
    assert.equal(
      elements[0]?.constraint?.at(-1)?.source,
      'https://example.org/StructureDefinition/T',
    );
  });

  it('unfolds a datatype to constrain inside it', () => {
    const sd = generate(
      profile([
        { id: 'Task.owner.identifier.system', path: 'Task.owner.identifier.system', min: 1 },
      ]),
    );
    const ids = (sd.snapshot?.element ?? []).map((e) => e.id);
    assert.ok(ids.includes('Task.owner.reference'));
    assert.ok(ids.includes('Task.owner.identifier.value'));
  });

  it('refuses widening, unknown types, slicing and unknown elements', () => {
    assert.throws(
      () => generate(profile([{ id: 'Task.intent', path: 'Task.intent', min: 0 }])),
      /widens/,
    );
    assert.throws(
      () => generate(profile([{ id: 'Task.for', path: 'Task.for', max: '2' }])),
      /widens/,
    );
    assert.throws(
      () => generate(profile([{ id: 'Task.for', path: 'Task.for', type: [{ code: 'string' }] }])),
      /not allowed/,
    );
    assert.throws(
      () =>
        generate(profile([{ id: 'Task.input', path: 'Task.input', slicing: { rules: 'open' } }])),
      /unsupported/,
    );
    assert.throws(
      () => generate(profile([{ id: 'Task.colour', path: 'Task.colour', min: 1 }])),
      /unknown element/,
    );
    assert.throws(
      () =>
        generate(
          profile([
            {
              id: 'Task.requester',
              path: 'Task.requester',
              type: [
                {
                  code: 'Reference',
                  targetProfile: ['http://hl7.org/fhir/StructureDefinition/Location'],
                },
              ],
            },
          ]),
        ),
      /not allowed/,
    );
  });
});
