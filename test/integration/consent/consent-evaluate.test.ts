import assert from 'node:assert/strict';
import type { CapabilityStatement, Parameters } from '@medplum/fhirtypes';
import request from 'supertest';
import { PURPOSE_SYSTEM } from '../../../src/consent/types.js';
import { assertOutcome } from '../../support/outcome.js';
import {
  consentBody,
  createConsentApp,
  NATIONAL_ID,
  NATIONAL_ID_SYSTEM,
  type ConsentApp,
} from './consent-app.js';

const patient = {
  name: 'patient',
  valueIdentifier: { system: NATIONAL_ID_SYSTEM, value: NATIONAL_ID },
};
const purpose = { name: 'purpose', valueCoding: { system: PURPOSE_SYSTEM, code: 'protection' } };

const values = (parameters: Parameters, name: string): unknown[] =>
  (parameters.parameter ?? [])
    .filter((entry) => entry.name === name)
    .map((entry) => entry.valueCode ?? entry.valueReference?.reference ?? entry.valueString);

describe('Consent $evaluate', () => {
  let gateway: ConsentApp;
  let consentId: string;

  beforeEach(async () => {
    gateway = await createConsentApp();
    const res = await request(gateway.app)
      .post('/fhir/Consent')
      .set('Authorization', 'Bearer police-central')
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(consentBody()))
      .expect(201);
    consentId = (res.body as { id: string }).id;
  });
  afterEach(() => gateway.dispose());

  const evaluate = (caller: string, parameter: unknown[]) =>
    request(gateway.app)
      .post('/fhir/Consent/$evaluate')
      .set('Authorization', `Bearer ${caller}`)
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify({ resourceType: 'Parameters', parameter }));

  it('decides for the caller by default, per data class, and audits the decision', async () => {
    const res = await evaluate('casa-refugio', [patient, purpose]).expect(200);
    const out = res.body as Parameters;
    assert.deepEqual(values(out, 'decision'), ['permit']);
    assert.deepEqual(values(out, 'permitted'), ['contact-details', 'location']);
    assert.ok(values(out, 'remove').includes('health-record'));
    assert.deepEqual(values(out, 'reliedOn'), [`Consent/${consentId}/_history/1`]);
    assert.equal(typeof values(out, 'reason')[0], 'string');
    const event = (await gateway.store.audit.list()).at(-1)?.event;
    assert.equal(event?.subtype?.[0]?.code, 'operation');
    assert.equal(event.outcome, '0');
    assert.equal(event.purposeOfEvent?.[0]?.coding?.[0]?.code, 'protection');
    assert.equal(event.agent[0]?.who?.reference, 'Organization/casa-refugio');
    // Her number with or without its separators: a bare "2345" also turns up in random ids.
    assert.doesNotMatch(JSON.stringify(event), /1\D?2345\D?6789|23456789/);
  });

  it('answers another institution the outcome but not the consents it may not see', async () => {
    const res = await evaluate('casa-luz', [
      patient,
      purpose,
      { name: 'dataClass', valueCode: 'location' },
      { name: 'actor', valueReference: { reference: 'Organization/casa-refugio' } },
    ]).expect(200);
    const out = res.body as Parameters;
    assert.deepEqual(values(out, 'decision'), ['permit']);
    assert.deepEqual(values(out, 'permitted'), ['location']);
    assert.deepEqual(values(out, 'reliedOn'), []);
  });

  it('answers deny to an institution her consent leaves under its blanket refusal', async () => {
    const res = await evaluate('fiscalia-norte', [patient, purpose]).expect(200);
    assert.deepEqual(values(res.body as Parameters, 'decision'), ['deny']);
    const event = (await gateway.store.audit.list()).at(-1)?.event;
    assert.equal(event?.outcome, '4');
  });

  it('refuses missing and invalid parameters, naming each, and audits the refusal', async () => {
    const cases: [unknown[], string][] = [
      [[purpose], 'patient'],
      [[patient], 'purpose'],
      [[patient, { name: 'purpose', valueCode: 'marketing' }], 'purpose'],
      [[patient, purpose, { name: 'dataClass', valueCode: 'diary' }], 'dataClass'],
      [
        [patient, purpose, { name: 'actor', valueReference: { reference: 'Organization/x' } }],
        'actor',
      ],
      [[patient, purpose, { name: 'at', valueDateTime: 'yesterday' }], 'at'],
      [[patient, purpose, purpose], 'purpose'],
    ];
    for (const [parameter, name] of cases) {
      const before = await gateway.store.audit.count();
      const outcome = assertOutcome(await evaluate('police-central', parameter), {
        status: 400,
        issue: 'invalid',
        code: 'ENLACE_INVALID_PARAMETER',
      });
      assert.deepEqual(outcome.issue[0]?.expression, [
        `Parameters.parameter.where(name='${name}')`,
      ]);
      const [record] = await gateway.store.audit.list({ afterSeq: before });
      assert.equal(record?.event.outcome, '4');
    }
  });

  it('is listed with every consent interaction in the CapabilityStatement', async () => {
    const res = await request(gateway.app).get('/fhir/metadata').expect(200);
    const consent = (res.body as CapabilityStatement).rest?.[0]?.resource?.find(
      (resource) => resource.type === 'Consent',
    );
    assert.deepEqual(consent?.interaction?.map((interaction) => interaction.code).sort(), [
      'create',
      'history-instance',
      'patch',
      'read',
      'search-type',
      'vread',
    ]);
    assert.equal(consent.profile, 'https://enlace.example.org/fhir/StructureDefinition/VawConsent');
    assert.ok(
      consent.operation?.some(
        (operation) =>
          operation.name === 'evaluate' &&
          operation.definition ===
            'https://enlace.example.org/fhir/OperationDefinition/Consent-evaluate',
      ),
    );
  });
});
