import assert from 'node:assert/strict';
import type { Consent } from '@medplum/fhirtypes';
import request from 'supertest';
import { REVOCATION_REASON_EXTENSION } from '../../../src/consent/index.js';
import { consentRoutes } from '../../../src/http/consent-routes.js';
import {
  dumpTables,
  filesHolding,
  sqliteFiles,
  tablesHolding,
} from '../../support/raw-database.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';
import {
  createReferralNetwork,
  SURVIVOR_ID_SYSTEM,
  shelterConsent,
  type ReferralNetwork,
} from '../referrals/referral-fixtures.js';

/** What identifies her: her number (with and without separators), her name, her birth date. */
const NATIONAL_ID = '4.512.337-1';
const IDENTIFYING = ['4.512.337-1', '45123371', 'Marisol', 'Quispe', '1991-04-17'];
/** What the partners wrote in the consent's free-text slots, about her. */
const FREE_TEXT = ['Tlahuelilpan', 'Cuauhtemoc'];

for (const engine of testEngines()) {
  describe(`consents are sealed at rest (${engine.name})`, function () {
    let database: TestDatabase;
    let network: ReferralNetwork;
    let consent: Consent;

    before(async () => {
      database = await engine.create();
      network = await createReferralNetwork({
        env: database.env,
        routes: (test) => consentRoutes(test.services),
      });
    });
    after(async () => {
      await network.dispose();
      await database.drop();
    });

    it('records and withdraws a consent with free text, and returns that text to those who may read it', async () => {
      const body = shelterConsent(NATIONAL_ID, 'police-central');
      // A partner that numbers the consent after her: only a keyed digest of it is kept.
      body.identifier = [
        { system: 'https://registro.example.org/consent-form', value: 'Marisol-Quispe-1991-04-17' },
      ];
      body.category = [
        {
          coding: [{ system: 'http://loinc.org', code: '59284-0' }],
          text: 'Consentimiento firmado por Marisol Quispe en Tlahuelilpan',
        },
      ];
      const actor = body.provision?.provision?.[0]?.actor?.[0];
      assert.ok(actor !== undefined);
      actor.reference = { display: 'Cualquier refugio, como el de Cuauhtemoc' };
      const created = await request(network.app)
        .post('/fhir/Consent')
        .set('Authorization', 'Bearer police-central')
        .set('Content-Type', 'application/fhir+json')
        .send(JSON.stringify(body))
        .expect(201);
      consent = created.body as Consent;
      const reason = 'Marisol Quispe, nacida el 1991-04-17, la retiró en persona.';
      await request(network.app)
        .patch(`/fhir/Consent/${consent.id ?? ''}`)
        .set('Authorization', 'Bearer police-central')
        .set('Content-Type', 'application/json-patch+json')
        .send(
          JSON.stringify([
            { op: 'replace', path: '/status', value: 'inactive' },
            {
              op: 'add',
              path: '/extension/-',
              value: { url: REVOCATION_REASON_EXTENSION, valueString: reason },
            },
          ]),
        )
        .expect(200);

      const read = (
        await request(network.app)
          .get(`/fhir/Consent/${consent.id ?? ''}`)
          .set('Authorization', 'Bearer police-central')
          .expect(200)
      ).body as Consent;
      assert.equal(read.status, 'inactive');
      assert.match(read.category[0]?.text ?? '', /Tlahuelilpan/);
      assert.equal(read.extension?.[0]?.valueString, reason);
      assert.equal(read.identifier?.[0]?.value, 'Marisol-Quispe-1991-04-17');
      const first = (
        await request(network.app)
          .get(`/fhir/Consent/${consent.id ?? ''}/_history/1`)
          .set('Authorization', 'Bearer police-central')
          .expect(200)
      ).body as Consent;
      assert.equal(first.status, 'active');
      assert.equal(
        first.provision?.provision?.[0]?.actor?.[0]?.reference.display,
        'Cualquier refugio, como el de Cuauhtemoc',
      );
      const search = await request(network.app)
        .get(`/fhir/Consent?patient=${encodeURIComponent(`${SURVIVOR_ID_SYSTEM}|${NATIONAL_ID}`)}`)
        .set('Authorization', 'Bearer police-central')
        .expect(200);
      assert.match(search.text, /Tlahuelilpan/);
    });

    it('leaves nothing that identifies her, nor the free text, in any table', async () => {
      const dump = await dumpTables(database, network.test.dataDir);
      assert.equal((dump.get('consent') ?? []).length, 1);
      assert.equal((dump.get('consent_version') ?? []).length, 2);
      // The scan does read text: the recorder, a clear column, is found.
      assert.ok(tablesHolding(dump, ['police-central']).consent !== undefined);
      assert.deepEqual(tablesHolding(dump, [...IDENTIFYING, ...FREE_TEXT]), {});
    });

    if (engine.name === 'sqlite') {
      it('leaves none of it in the database file or its write-ahead log', async () => {
        const words = [...IDENTIFYING, ...FREE_TEXT];
        assert.deepEqual(filesHolding(await sqliteFiles(network.test.dataDir), words), {});
        await network.test.closeStore();
        assert.deepEqual(filesHolding(await sqliteFiles(network.test.dataDir), words), {});
      });
    }
  });
}
