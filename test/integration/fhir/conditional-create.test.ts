import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Consent } from '@medplum/fhirtypes';
import request from 'supertest';
import { startAttackNetwork, type AttackNetwork } from '../../security/attack-network.js';
import { assertOutcome } from '../../support/outcome.js';
import { testEngines } from '../../support/test-database.js';
import { shelterConsent, SURVIVOR_ID_SYSTEM } from '../referrals/referral-fixtures.js';

const FORM_SYSTEM = 'https://police-central.example.org/fhir/NamingSystem/consent-form';

for (const engine of testEngines()) {
  describe(`conditional create of a Consent with If-None-Exist (${engine.name})`, function () {
    this.timeout(60_000);
    let net: AttackNetwork;
    let police: string;
    let shelter: string;

    before(async () => {
      net = await startAttackNetwork(engine);
      [police, shelter] = await Promise.all([net.token(net.police), net.token(net.shelter)]);
    });
    after(() => net.dispose());

    /** A consent police records for her, numbered `form` on its own consent form. */
    const consentFor = (
      survivorId: string,
      form?: string,
      recorder = 'police-central',
    ): Consent => ({
      ...shelterConsent(survivorId, recorder),
      ...(form === undefined ? {} : { identifier: [{ system: FORM_SYSTEM, value: form }] }),
    });

    const post = (body: Consent, ifNoneExist?: string, bearer = police) => {
      const req = request(net.app)
        .post('/fhir/Consent')
        .set('Authorization', `Bearer ${bearer}`)
        .set('Content-Type', 'application/fhir+json');
      return (ifNoneExist === undefined ? req : req.set('If-None-Exist', ifNoneExist)).send(
        JSON.stringify(body),
      );
    };

    const consentCount = async () =>
      Number(
        (
          await net.store.db
            .selectFrom('consent')
            .select((eb) => eb.fn.countAll<string | number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('records the consent the first time and returns it, unchanged, the second', async () => {
      const form = `CF-${randomUUID()}`;
      const body = consentFor(`s-${randomUUID()}`, form);
      const condition = `identifier=${encodeURIComponent(`${FORM_SYSTEM}|${form}`)}`;
      const created = await post(body, condition).expect(201);
      const before = await consentCount();
      const auditBefore = await net.auditCount();
      const again = await post(body, condition).expect(200);
      assert.equal(await consentCount(), before, 'nothing was recorded the second time');
      assert.deepEqual(again.body, created.body);
      assert.equal(again.headers.etag, created.headers.etag);
      assert.equal(again.headers.location, created.headers.location);
      assert.equal(again.headers['last-modified'], created.headers['last-modified']);
      // The match is recorded like a read of the consent it returned.
      const [event] = await net.auditSince(auditBefore);
      const id = (created.body as Consent).id ?? '';
      assert.equal(event?.subtype?.[0]?.code, 'create');
      assert.equal(event.outcome, '0');
      assert.equal(event.entity?.[0]?.what?.reference, `Consent/${id}/_history/1`);
      assert.match(event.entity[0].description ?? '', /nothing was recorded/);
    });

    it('matches by the survivor as search does, and by every criterion given', async () => {
      const survivorId = `s-${randomUUID()}`;
      const patient = `patient=${encodeURIComponent(`${SURVIVOR_ID_SYSTEM}|${survivorId}`)}`;
      const created = await post(consentFor(survivorId), patient).expect(201);
      const found = await post(consentFor(survivorId), `${patient}&status=active`).expect(200);
      assert.equal((found.body as Consent).id, (created.body as Consent).id);
      // A criterion that does not hold for it (inactive) matches nothing, so a new one is recorded.
      await post(consentFor(survivorId), `${patient}&status=inactive`).expect(201);
    });

    it('refuses with 412 when several consents match, and records nothing', async () => {
      const survivorId = `s-${randomUUID()}`;
      await post(consentFor(survivorId)).expect(201);
      await post(consentFor(survivorId)).expect(201);
      const before = await consentCount();
      const res = await post(
        consentFor(survivorId),
        `patient=${encodeURIComponent(`${SURVIVOR_ID_SYSTEM}|${survivorId}`)}`,
      );
      const outcome = assertOutcome(res, {
        status: 412,
        issue: 'multiple-matches',
        code: 'ENLACE_CONDITIONAL_CREATE_AMBIGUOUS',
      });
      assert.deepEqual(outcome.issue[0]?.expression, ['If-None-Exist']);
      assert.equal(await consentCount(), before);
    });

    it('never finds a consent the caller may not see: it records its own', async () => {
      const form = `CF-${randomUUID()}`;
      const condition = `identifier=${encodeURIComponent(`${FORM_SYSTEM}|${form}`)}`;
      // The shelter records one under a number; police, which it does not name, asks alike.
      const shelterOwn = consentFor(`s-${randomUUID()}`, form, 'casa-refugio');
      const hidden = await post(shelterOwn, condition, shelter).expect(201);
      const res = await post(consentFor(`s-${randomUUID()}`, form), condition, police).expect(201);
      assert.notEqual((res.body as Consent).id, (hidden.body as Consent).id);
      assert.deepEqual((res.body as Consent).organization, [
        { reference: 'Organization/police-central' },
      ]);
    });

    it('reads the header strictly, as search reads its parameters', async () => {
      const body = consentFor(`s-${randomUUID()}`, `CF-${randomUUID()}`);
      const before = await consentCount();
      for (const condition of [
        'identifer=a|b',
        `identifier=${FORM_SYSTEM}|a&identifier=${FORM_SYSTEM}|b`,
        'identifier=only-a-value',
        'status=active',
        '',
      ]) {
        const res = await post(body, condition);
        const outcome = assertOutcome(res, {
          status: 400,
          issue: 'invalid',
          code: 'ENLACE_INVALID_PARAMETER',
        });
        assert.deepEqual(outcome.issue[0]?.expression, ['If-None-Exist'], condition);
      }
      assert.equal(await consentCount(), before, 'a refused condition records nothing');
    });

    it('makes one consent of concurrent identical conditional creates', async () => {
      const form = `CF-${randomUUID()}`;
      const body = consentFor(`s-${randomUUID()}`, form);
      const condition = `identifier=${encodeURIComponent(`${FORM_SYSTEM}|${form}`)}`;
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => post(body, condition).then((res) => res)),
      );
      const statuses = answers.map((res) => res.status).sort();
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 201]);
      const ids = new Set(answers.map((res) => (res.body as Consent).id));
      assert.equal(ids.size, 1, 'every answer names the one consent');
    });

    it('keeps a keyed digest of the identifier, never the identifier itself', async () => {
      // A partner may number a consent with her national id: it must not be stored in the clear.
      const nationalId = `4.${String(Date.now()).slice(-3)}.337-9`;
      const body: Consent = {
        ...consentFor(`s-${randomUUID()}`),
        identifier: [{ system: SURVIVOR_ID_SYSTEM, value: nationalId }],
      };
      await post(
        body,
        `identifier=${encodeURIComponent(`${SURVIVOR_ID_SYSTEM}|${nationalId}`)}`,
      ).expect(201);
      const rows = await net.store.db.selectFrom('consent_identifier').selectAll().execute();
      assert.ok(rows.length > 0);
      for (const row of rows) {
        assert.ok(!JSON.stringify(row).includes(nationalId), 'the identifier is not stored');
        assert.match(row.digest, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
      }
    });

    it('declares the conditional create in the CapabilityStatement', async () => {
      const res = await request(net.app).get('/fhir/metadata').expect(200);
      const consent = (
        res.body as { rest: { resource: { type: string; conditionalCreate?: boolean }[] }[] }
      ).rest[0]?.resource.find((resource) => resource.type === 'Consent');
      assert.equal(consent?.conditionalCreate, true);
    });
  });
}
