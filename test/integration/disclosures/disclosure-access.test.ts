import assert from 'node:assert/strict';
import type { AuditEvent, CapabilityStatement, OperationOutcome } from '@medplum/fhirtypes';
import request from 'supertest';
import { assertOutcome } from '../../support/outcome.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';
import {
  IDENTIFIER,
  NATIONAL_ID,
  tellStory,
  UNKNOWN_IDENTIFIER,
  type DisclosureStory,
} from './disclosure-story.js';

const NOT_FOUND = { status: 404, issue: 'not-found', code: 'ENLACE_RESOURCE_NOT_FOUND' } as const;
const INVALID = { status: 400, issue: 'invalid', code: 'ENLACE_INVALID_PARAMETER' } as const;
const PERSON_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/person';
const PSEUDONYM_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/survivor-pseudonym';
const of = (identifier: string) => `identifier=${encodeURIComponent(identifier)}`;

/** The refusal as the caller reads it, without what differs per request (its id). */
const refusalText = (outcome: OperationOutcome) => ({
  code: outcome.issue[0]?.details?.coding?.[0]?.code,
  text: outcome.issue[0]?.diagnostics ?? outcome.issue[0]?.details?.text,
});

const isReportRequest = (event: AuditEvent) =>
  event.entity?.some((entity) => entity.description?.startsWith('Patient/$disclosures')) === true;

for (const engine of testEngines()) {
  describe(`who saw my case: who may ask (${engine.name})`, function () {
    let database: TestDatabase;
    let story: DisclosureStory;

    const eventsSince = async (seq: number): Promise<AuditEvent[]> =>
      (await story.network.store.audit.list({ afterSeq: seq })).map((record) => record.event);

    before(async () => {
      database = await engine.create();
      story = await tellStory(database.env);
    });
    after(async () => {
      await story.dispose();
      await database.drop();
    });

    it('answers auditors and the sender and recipients of her open referrals', async () => {
      for (const token of ['auditor', 'police-central', 'casa-refugio', 'hospital-norte']) {
        const res = await story.ask(token, of(IDENTIFIER));
        assert.equal(res.status, 200, `${token}: ${res.text.slice(0, 300)}`);
      }
    });

    it('refuses a third institution exactly as it refuses an unknown identifier', async () => {
      const notHers = assertOutcome(await story.ask('juzgado-familia', of(IDENTIFIER)), NOT_FOUND);
      const unknown = assertOutcome(
        await story.ask('juzgado-familia', of(UNKNOWN_IDENTIFIER)),
        NOT_FOUND,
      );
      const unknownToShelter = assertOutcome(
        await story.ask('casa-refugio', of(UNKNOWN_IDENTIFIER)),
        NOT_FOUND,
      );
      assert.deepEqual(refusalText(notHers), refusalText(unknown));
      assert.deepEqual(refusalText(unknownToShelter), refusalText(unknown));
      assert.ok(!JSON.stringify(notHers).includes(NATIONAL_ID));
    });

    it('closes the door to an institution once its referral is closed', async () => {
      await story.network.store.db
        .updateTable('referral')
        .set({ status: 'completed' })
        .where('id', '=', story.toHealth)
        .execute();
      try {
        assertOutcome(await story.ask('hospital-norte', of(IDENTIFIER)), NOT_FOUND);
      } finally {
        await story.network.store.db
          .updateTable('referral')
          .set({ status: 'received' })
          .where('id', '=', story.toHealth)
          .execute();
      }
    });

    it('refuses operators, and callers without a token', async () => {
      assertOutcome(await story.ask('operator', of(IDENTIFIER)), {
        status: 403,
        issue: 'forbidden',
        code: 'ENLACE_ROLE_INSUFFICIENT',
      });
      assertOutcome(await story.ask('nobody', of(IDENTIFIER)), {
        status: 401,
        issue: 'login',
        code: 'ENLACE_TOKEN_INVALID',
      });
    });

    it('refuses malformed questions without repeating her identifier', async () => {
      for (const query of [
        `identifier=${NATIONAL_ID}`,
        `${of(IDENTIFIER)}&patient=${story.pseudonym}`,
        '',
        `${of(IDENTIFIER)}&name=Ana`,
        `${of(IDENTIFIER)}&lang=fr`,
        'patient=not-a-pseudonym',
      ]) {
        const outcome = assertOutcome(await story.ask('auditor', query), INVALID);
        assert.ok(!JSON.stringify(outcome).includes(NATIONAL_ID), query);
      }
    });

    it('records who asked and about which pseudonym, never the identifier', async () => {
      const before = await story.network.store.audit.count();
      await story.ask('auditor', of(IDENTIFIER)).expect(200);
      const events = (await eventsSince(before)).filter(isReportRequest);
      assert.equal(events.length, 1);
      const [event] = events;
      assert.ok(event !== undefined);
      assert.equal(event.outcome, '0');
      assert.deepEqual(event.agent[0]?.who?.identifier, { system: PERSON_SYSTEM, value: 'marta' });
      const pseudonyms = (event.entity ?? [])
        .filter((entity) => entity.what?.identifier?.system === PSEUDONYM_SYSTEM)
        .map((entity) => entity.what?.identifier?.value);
      assert.ok(pseudonyms.includes(story.pseudonym));
      assert.ok(!JSON.stringify(event).includes(NATIONAL_ID));
      assert.ok(!JSON.stringify(event).includes(NATIONAL_ID.replace(/\D/g, '')));
    });

    it('records a refused request too, naming the institution that asked', async () => {
      const before = await story.network.store.audit.count();
      await story.ask('juzgado-familia', of(IDENTIFIER)).expect(404);
      const events = (await eventsSince(before)).filter(isReportRequest);
      assert.equal(events.length, 1);
      const [event] = events;
      assert.equal(event?.outcome, '4');
      assert.equal(event.agent[0]?.who?.reference, 'Organization/juzgado-familia');
      assert.match(event.outcomeDesc ?? '', /^ENLACE_RESOURCE_NOT_FOUND: /);
      assert.ok(!JSON.stringify(event).includes(NATIONAL_ID));
    });

    it('is listed in the CapabilityStatement as an operation on Patient', async () => {
      const res = await request(story.app).get('/fhir/metadata').expect(200);
      const statement = res.body as CapabilityStatement;
      const patient = statement.rest?.[0]?.resource?.find(
        (resource) => resource.type === 'Patient',
      );
      assert.deepEqual(patient?.operation, [
        {
          name: 'disclosures',
          definition: 'https://enlace.example.org/fhir/OperationDefinition/disclosures',
        },
      ]);
    });
  });
}
