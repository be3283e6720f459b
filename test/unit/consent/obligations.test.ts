import assert from 'node:assert/strict';
import type { Observation, Resource, Task } from '@medplum/fhirtypes';
import { applyDataClassObligations } from '../../../src/consent/obligations/apply-data-class-obligations.js';
import { DATA_CLASS_SYSTEM, type Decision } from '../../../src/consent/types.js';

const labelled = (id: string, ...classes: string[]): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { text: 'x' },
  meta: { security: classes.map((code) => ({ system: DATA_CLASS_SYSTEM, code })) },
});
const task: Task = { resourceType: 'Task', id: 't1', status: 'requested', intent: 'order' };
const decision: Decision = {
  outcome: 'permit',
  reliedOn: ['Consent/c1/_history/2'],
  permitted: ['police-report', 'risk-assessment'],
  remove: ['location'],
  conflicts: [],
};
const recorded = new Date('2025-06-15T12:00:00Z');
const target = { reference: 'urn:uuid:delivered-message' };
/** Removed resources are named logically, by the URI they had in their message. */
const identify = (resource: Resource) => ({
  type: resource.resourceType,
  identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${resource.id ?? ''}` },
});
const options = { recorded, target, identify };

describe('data-class obligations', () => {
  it('removes every resource labelled with a class the decision does not permit', () => {
    const resources: Resource[] = [
      task,
      labelled('o1', 'police-report'),
      labelled('o2', 'location'),
      labelled('o3', 'police-report', 'health-record'),
      labelled('o4', 'not-a-known-class'),
    ];
    const result = applyDataClassObligations(resources, decision, options);
    assert.deepEqual(
      result.resources.map((r) => r.id),
      ['t1', 'o1'],
    );
    assert.deepEqual(result.removed, ['Observation/o2', 'Observation/o3', 'Observation/o4']);
  });

  it('marks what remains REDACTED without changing the input', () => {
    const input = [task, labelled('o2', 'location')];
    const result = applyDataClassObligations(input, decision, options);
    const security = result.resources[0]?.meta?.security ?? [];
    assert.ok(
      security.some(
        (c) =>
          c.system === 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue' &&
          c.code === 'REDACTED',
      ),
    );
    assert.equal(task.meta, undefined);
  });

  it('records what was removed, why and under which consents in a Provenance', () => {
    const result = applyDataClassObligations([task, labelled('o2', 'location')], decision, options);
    const provenance = result.provenance!;
    assert.deepEqual(provenance.target, [target]);
    assert.equal(provenance.recorded, '2025-06-15T12:00:00.000Z');
    assert.deepEqual(provenance.policy, ['Consent/c1/_history/2']);
    assert.equal(provenance.activity?.coding?.[0]?.code, 'REDACT');
    assert.deepEqual(provenance.agent[0]?.who, { reference: 'Organization/enlace-gateway' });
    const removal = provenance.entity?.[0];
    assert.ok(removal !== undefined);
    assert.equal(removal.role, 'removal');
    assert.equal(removal.what.reference, undefined);
    assert.deepEqual(removal.what.identifier, {
      system: 'urn:ietf:rfc:3986',
      value: 'urn:uuid:o2',
    });
    assert.equal(removal.what.type, 'Observation');
    assert.match(removal.what.display ?? '', /location/);
  });

  it('changes nothing and records nothing when every class is permitted', () => {
    const input = [task, labelled('o1', 'police-report')];
    const result = applyDataClassObligations(input, decision, options);
    assert.deepEqual(result.resources, input);
    assert.deepEqual(result.removed, []);
    assert.equal(result.provenance, undefined);
  });

  it('removes every labelled resource when the decision permits nothing', () => {
    const none: Decision = { ...decision, outcome: 'deny', permitted: [] };
    const result = applyDataClassObligations([labelled('o1', 'police-report')], none, options);
    assert.deepEqual(result.resources, []);
    assert.deepEqual(result.provenance?.target, [target]);
  });
});
