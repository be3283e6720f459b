import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bundle, Consent, Parameters } from '@medplum/fhirtypes';
import request from 'supertest';
import { recordDisclosure, revokeConsent } from '../../../src/consent/records/index.js';
import { PSEUDONYM_SYSTEM } from '../../../src/consent/types.js';
import {
  consentBody,
  createConsentApp,
  NATIONAL_ID,
  NATIONAL_ID_SYSTEM,
  principalOf,
  revocationPatch,
  type ConsentApp,
} from './consent-app.js';
import { TEST_PUBLIC_URL } from '../../support/test-app.js';

const patientToken = encodeURIComponent(`${NATIONAL_ID_SYSTEM}|${NATIONAL_ID}`);

const evaluateBody = (at?: string) => ({
  resourceType: 'Parameters',
  parameter: [
    { name: 'patient', valueIdentifier: { system: NATIONAL_ID_SYSTEM, value: NATIONAL_ID } },
    { name: 'purpose', valueCode: 'protection' },
    { name: 'dataClass', valueCode: 'contact-details' },
    { name: 'actor', valueReference: { reference: 'Organization/casa-refugio' } },
    ...(at === undefined ? [] : [{ name: 'at', valueDateTime: at }]),
  ],
});

const parameter = (parameters: Parameters, name: string): unknown[] =>
  (parameters.parameter ?? [])
    .filter((entry) => entry.name === name)
    .map((entry) => entry.valueCode ?? entry.valueReference?.reference ?? entry.valueString);

describe('consent records: create, read, search, history and revocation', () => {
  let gateway: ConsentApp;

  beforeEach(async () => {
    gateway = await createConsentApp();
  });
  afterEach(() => gateway.dispose());

  async function create(): Promise<Consent> {
    const res = await request(gateway.app)
      .post('/fhir/Consent')
      .set('Authorization', 'Bearer police-central')
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(consentBody()))
      .expect(201);
    return res.body as Consent;
  }

  it('records a consent under her pseudonym, as version 1 with an ETag and a Location', async () => {
    const res = await request(gateway.app)
      .post('/fhir/Consent')
      .set('Authorization', 'Bearer police-central')
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(consentBody()))
      .expect(201);
    const consent = res.body as Consent;
    assert.match(consent.id ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(consent.meta?.versionId, '1');
    assert.equal(consent.meta.lastUpdated, '2025-03-01T10:00:00.000Z');
    assert.deepEqual(consent.meta.profile, [
      'https://enlace.example.org/fhir/StructureDefinition/VawConsent',
    ]);
    assert.equal(res.headers.etag, 'W/"1"');
    assert.equal(
      res.headers.location,
      `${TEST_PUBLIC_URL}/fhir/Consent/${consent.id ?? ''}/_history/1`,
    );
    assert.equal(consent.patient?.identifier?.system, PSEUDONYM_SYSTEM);
    assert.match(consent.patient.identifier.value ?? '', /^k2\./);
    // Her number with or without its separators: a bare "2345" also turns up in random ids.
    assert.doesNotMatch(JSON.stringify(consent), /1\D?2345\D?6789|23456789/);
    assert.deepEqual(consent.performer, [{ reference: 'Organization/police-central' }]);
    assert.deepEqual(consent.organization, [{ reference: 'Organization/police-central' }]);

    const [event] = (await gateway.store.audit.list()).map((record) => record.event).slice(-1);
    assert.equal(event?.subtype?.[0]?.code, 'create');
    assert.equal(event.outcome, '0');
    assert.equal(event.agent[0]?.who?.reference, 'Organization/police-central');
    assert.equal(event.entity?.[0]?.what?.reference, `Consent/${consent.id ?? ''}/_history/1`);
    assert.deepEqual(event.entity[1]?.what?.identifier, consent.patient.identifier);
  });

  it('never stores her national id: not in any row, not anywhere in the SQLite file', async () => {
    const consent = await create();
    await request(gateway.app)
      .get(`/fhir/Consent?patient=${patientToken}`)
      .set('Authorization', 'Bearer casa-refugio')
      .expect(200);
    await request(gateway.app)
      .patch(`/fhir/Consent/${consent.id ?? ''}`)
      .set('Authorization', 'Bearer police-central')
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify(revocationPatch()))
      .expect(200);
    for (const table of ['consent', 'consent_version', 'audit_event'] as const) {
      const rows = await gateway.store.db.selectFrom(table).selectAll().execute();
      assert.ok(rows.length > 0, `${table} has rows`);
      // Her number with or without its separators; a bare "2345" also turns up in random ids.
      assert.doesNotMatch(
        JSON.stringify(rows),
        /1\D?2345\D?6789|23456789/,
        `${table} holds no identifier`,
      );
    }
    await gateway.test.closeStore();
    for (const file of ['enlace.db', 'enlace.db-wal']) {
      const bytes = await readFile(join(gateway.test.dataDir, file)).catch(() => Buffer.alloc(0));
      assert.equal(bytes.includes(Buffer.from(NATIONAL_ID)), false, `${file} holds the id`);
      assert.equal(bytes.includes(Buffer.from('23456789')), false, `${file} holds the digits`);
    }
  });

  it('lets the recorder and a named institution read it, and answers 404 to any other', async () => {
    const consent = await create();
    for (const reader of ['police-central', 'casa-refugio']) {
      const res = await request(gateway.app)
        .get(`/fhir/Consent/${consent.id ?? ''}`)
        .set('Authorization', `Bearer ${reader}`)
        .expect(200);
      assert.equal(res.headers.etag, 'W/"1"');
      assert.deepEqual(res.body, consent);
    }
    const hidden = await request(gateway.app)
      .get(`/fhir/Consent/${consent.id ?? ''}`)
      .set('Authorization', 'Bearer casa-luz');
    const missing = await request(gateway.app)
      .get('/fhir/Consent/00000000-0000-4000-8000-000000000000')
      .set('Authorization', 'Bearer casa-luz');
    assert.equal(hidden.status, 404);
    assert.equal(missing.status, 404);
    const issue = (res: { body: unknown }) =>
      (res.body as { issue: { code: string; details: { coding: { code: string }[] } }[] }).issue[0];
    assert.equal(issue(hidden)?.details.coding[0]?.code, 'ENLACE_RESOURCE_NOT_FOUND');
    assert.equal(issue(missing)?.details.coding[0]?.code, 'ENLACE_RESOURCE_NOT_FOUND');
    const [refusal] = (await gateway.store.audit.list()).map((record) => record.event).slice(-2);
    assert.equal(refusal?.outcome, '4');
    assert.equal(refusal.subtype?.[0]?.code, 'read');
    assert.match(refusal.outcomeDesc ?? '', /^ENLACE_RESOURCE_NOT_FOUND/);
  });

  it('finds her consent by the identifier any institution holds, and only where it may see it', async () => {
    const consent = await create();
    // Written differently (separators, spaces) by the shelter: the same woman, the same pseudonym.
    const token = encodeURIComponent(`${NATIONAL_ID_SYSTEM}| 1.2345.6789 `);
    const found = await request(gateway.app)
      .get(`/fhir/Consent?patient=${token}&status=active`)
      .set('Authorization', 'Bearer casa-refugio')
      .expect(200);
    const bundle = found.body as Bundle<Consent>;
    assert.equal(bundle.type, 'searchset');
    assert.deepEqual(
      bundle.entry?.map((entry) => entry.resource?.id),
      [consent.id],
    );
    assert.doesNotMatch(JSON.stringify(bundle), /2345/);
    const other = await request(gateway.app)
      .get(`/fhir/Consent?patient=${patientToken}`)
      .set('Authorization', 'Bearer casa-luz')
      .expect(200);
    assert.equal((other.body as Bundle).entry, undefined);
    const inactive = await request(gateway.app)
      .get(`/fhir/Consent?patient=${patientToken}&status=inactive`)
      .set('Authorization', 'Bearer police-central')
      .expect(200);
    assert.equal((inactive.body as Bundle).entry, undefined);
    const event = (await gateway.store.audit.list()).at(-1)?.event;
    assert.equal(event?.subtype?.[0]?.code, 'search-type');
    assert.equal(event.entity?.[1]?.what?.identifier?.system, PSEUDONYM_SYSTEM);
  });

  it('revokes by a new version: history keeps version 1, reads show version 2', async () => {
    const consent = await create();
    const id = consent.id ?? '';
    gateway.setNow('2025-03-10T12:00:00.000Z');
    const revoked = await request(gateway.app)
      .patch(`/fhir/Consent/${id}`)
      .set('Authorization', 'Bearer casa-refugio')
      .set('Content-Type', 'application/json-patch+json')
      .set('If-Match', 'W/"1"')
      .send(JSON.stringify(revocationPatch()))
      .expect(200);
    const current = revoked.body as Consent;
    assert.equal(revoked.headers.etag, 'W/"2"');
    assert.equal(current.status, 'inactive');
    assert.equal(current.meta?.versionId, '2');
    assert.equal(current.meta.lastUpdated, '2025-03-10T12:00:00.000Z');
    assert.deepEqual(current.extension, [
      {
        url: 'https://enlace.example.org/fhir/StructureDefinition/revocation-reason',
        valueString: 'She withdrew consent in person.',
      },
    ]);

    const history = await request(gateway.app)
      .get(`/fhir/Consent/${id}/_history`)
      .set('Authorization', 'Bearer police-central')
      .expect(200);
    const bundle = history.body as Bundle<Consent>;
    assert.equal(bundle.type, 'history');
    assert.deepEqual(
      bundle.entry?.map((entry) => [entry.resource?.meta?.versionId, entry.resource?.status]),
      [
        ['2', 'inactive'],
        ['1', 'active'],
      ],
    );
    assert.deepEqual(
      bundle.entry.map((entry) => entry.request?.method),
      ['PATCH', 'POST'],
    );
    const first = await request(gateway.app)
      .get(`/fhir/Consent/${id}/_history/1`)
      .set('Authorization', 'Bearer police-central')
      .expect(200);
    assert.deepEqual(first.body, consent);
    assert.equal(first.headers.etag, 'W/"1"');
    await request(gateway.app)
      .get(`/fhir/Consent/${id}/_history/3`)
      .set('Authorization', 'Bearer police-central')
      .expect(404);

    const revocation = (await gateway.store.audit.list())
      .map((record) => record.event)
      .find((event) => event.subtype?.[0]?.code === 'patch');
    assert.equal(revocation?.agent[0]?.who?.reference, 'Organization/casa-refugio');
    assert.equal(revocation.entity?.[0]?.what?.reference, `Consent/${id}/_history/2`);
    assert.equal(revocation.outcome, '0');
    const epoch = await gateway.store.db
      .selectFrom('survivor_consent_state')
      .select('epoch')
      .executeTakeFirstOrThrow();
    assert.equal(epoch.epoch, 1);
  });

  it('reconstructs the decision in force at a past instant from the versions', async () => {
    await create();
    const consentId = (
      await gateway.store.db.selectFrom('consent').select('id').executeTakeFirstOrThrow()
    ).id;
    gateway.setNow('2025-03-10T12:00:00.000Z');
    await request(gateway.app)
      .patch(`/fhir/Consent/${consentId}`)
      .set('Authorization', 'Bearer police-central')
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify(revocationPatch()))
      .expect(200);
    gateway.setNow('2025-04-01T00:00:00.000Z');
    const evaluate = async (at?: string): Promise<Parameters> =>
      (
        await request(gateway.app)
          .post('/fhir/Consent/$evaluate')
          .set('Authorization', 'Bearer police-central')
          .set('Content-Type', 'application/fhir+json')
          .send(JSON.stringify(evaluateBody(at)))
          .expect(200)
      ).body as Parameters;
    const before = await evaluate('2025-03-05T08:00:00Z');
    assert.deepEqual(parameter(before, 'decision'), ['permit']);
    assert.deepEqual(parameter(before, 'permitted'), ['contact-details']);
    assert.deepEqual(parameter(before, 'reliedOn'), [`Consent/${consentId}/_history/1`]);
    const beforeRecorded = await evaluate('2025-03-01T09:59:00Z');
    assert.deepEqual(parameter(beforeRecorded, 'decision'), ['no-consent']);
    const now = await evaluate();
    assert.deepEqual(parameter(now, 'decision'), ['no-consent']);
    assert.deepEqual(parameter(now, 'remove'), ['contact-details']);
  });

  it('tells the revoker which institutions received data under the consent', async () => {
    const consent = await create();
    const id = consent.id ?? '';
    await gateway.store.transaction((unit) =>
      recordDisclosure(
        unit,
        {
          outcome: 'permit',
          reliedOn: [`Consent/${id}/_history/1`],
          permitted: ['contact-details'],
          remove: [],
          conflicts: [],
        },
        'casa-refugio',
        { reference: 'Bundle/referral-1', at: new Date('2025-03-02T00:00:00Z') },
      ),
    );
    const revocation = await revokeConsent(
      { id, patch: revocationPatch(), ifMatch: undefined },
      { principal: principalOf('police-central') },
      gateway.context,
    );
    assert.deepEqual(revocation.recipients, ['casa-refugio']);
    assert.equal(revocation.record.version, 2);
  });
});
