import assert from 'node:assert/strict';
import type { AuditEvent } from '@medplum/fhirtypes';
import request from 'supertest';
import { testEngines } from '../support/test-database.js';
import { auditEventProblems } from '../support/audit-conformance.js';
import { startAttackNetwork, type AttackNetwork } from './attack-network.js';

const REQUEST_ID_TYPE = 'XrequestId';

const describeEntity = (event: AuditEvent): string | undefined =>
  event.entity?.find((entity) => entity.type?.code !== REQUEST_ID_TYPE)?.description;

const requestIdOf = (event: AuditEvent): string | undefined =>
  event.entity?.find((entity) => entity.type?.code === REQUEST_ID_TYPE)?.what?.identifier?.value;

for (const engine of testEngines()) {
  describe(`refusals leave a trace (${engine.name})`, function () {
    this.timeout(60_000);
    let net: AttackNetwork;
    let referral: string;
    let court: string;

    before(async () => {
      net = await startAttackNetwork(engine);
      referral = await net.submitReferral(net.police, net.shelter);
      court = await net.token(net.court);
    });
    after(() => net.dispose());

    /** Runs one probe and returns the AuditEvents it appended. */
    async function probe(
      send: () => Promise<{ status: number }>,
      status: number,
    ): Promise<AuditEvent[]> {
      const before = await net.auditCount();
      const res = await send();
      assert.equal(res.status, status);
      return net.auditSince(before);
    }

    const thirdPartyProbes: readonly [string, () => request.Test, string][] = [
      ['GET /fhir/Task/{id}', () => request(net.app).get(`/fhir/Task/${referral}`), 'Task'],
      [
        'GET /fhir/Bundle/{id}',
        () => request(net.app).get(`/fhir/Bundle/${referral}`).set('Accept', 'application/jose'),
        'Bundle',
      ],
      [
        'PATCH /fhir/Task/{id}',
        () =>
          request(net.app)
            .patch(`/fhir/Task/${referral}`)
            .set('If-Match', 'W/"1"')
            .set('Content-Type', 'application/json-patch+json')
            .send('[{"op":"replace","path":"/status","value":"accepted"}]'),
        'Task',
      ],
    ];
    for (const [name, send, type] of thirdPartyProbes) {
      it(`records a third party's ${name} on a referral between two others, though it answers 404`, async () => {
        const events = await probe(() => send().set('Authorization', `Bearer ${court}`), 404);
        assert.equal(events.length, 1, JSON.stringify(events));
        const [event] = events as [AuditEvent];
        assert.equal(event.outcome, '4');
        assert.match(event.outcomeDesc ?? '', /^ENLACE_RESOURCE_NOT_FOUND: /);
        assert.equal(event.agent[0]?.who?.reference, `Organization/${net.court.id}`);
        assert.equal(event.entity?.[0]?.what?.reference, `${type}/${referral}`);
        assert.deepEqual(auditEventProblems(event), []);
      });
    }

    it('records a refused Task search with its reason', async () => {
      const events = await probe(
        () =>
          request(net.app).get('/fhir/Task?_sort=nonsense').set('Authorization', `Bearer ${court}`),
        400,
      );
      assert.equal(events.length, 1);
      const [event] = events as [AuditEvent];
      assert.equal(event.outcome, '4');
      assert.deepEqual(
        event.subtype?.map((coding) => coding.code),
        ['search-type'],
      );
    });

    it('says what an identified caller probed: method, route pattern and request id, with no empty element', async () => {
      for (const [send, status, description] of [
        [
          () => request(net.app).get('/admin/partners').set('Authorization', `Bearer ${court}`),
          401,
          'GET /admin/partners requires operator',
        ],
        [
          () =>
            request(net.app)
              .post('/fhir/Consent')
              .set('Authorization', `Bearer ${court}`)
              .set('Content-Type', 'application/fhir+json')
              .send('{}'),
          403,
          'POST /fhir/Consent requires system/Consent.c',
        ],
      ] as const) {
        const requestId = `probe-${status}`;
        const events = await probe(() => send().set('X-Request-Id', requestId), status);
        assert.equal(events.length, 1, JSON.stringify(events));
        const [event] = events as [AuditEvent];
        assert.equal(describeEntity(event), description);
        assert.equal(requestIdOf(event), requestId);
        assert.deepEqual(auditEventProblems(event), []);
      }
    });

    it('records the first anonymous refusal of a source in a minute and counts the rest', async () => {
      // The network's clock stands still, so every probe here falls in one minute.
      const anonymous = [
        () => request(net.app).get('/fhir/Task').set('Authorization', 'Bearer not.a.token'),
        () => request(net.app).get('/fhir/Bundle/x').set('Accept', 'application/jose'),
        () => request(net.app).get('/fhir/Task').set('X-Request-Id', 'anonymous-3'),
      ];
      const before = await net.auditCount();
      for (const send of anonymous) await send().expect(401);
      const events = await net.auditSince(before);
      assert.ok(events.length <= 1, `anonymous refusals were not sampled: ${events.length}`);
      const first =
        events[0] ??
        (await net.auditSince(0)).find(
          (event) => event.outcome === '4' && event.agent[0]?.network !== undefined,
        );
      assert.ok(first !== undefined, 'no anonymous refusal was ever recorded');
      assert.match(
        describeEntity(first) ?? '',
        /^GET \/fhir\/(Task|Bundle\/:id) requires system\/(Task\.s|Bundle\.r)$/,
      );
      assert.equal(first.agent[0]?.network?.address?.includes('127.0.0.1'), true);
      assert.deepEqual(auditEventProblems(first), []);
      await net.test.capabilities.authorize.flush();
      const summary = (await net.auditSince(before)).find((event) =>
        /further anonymous refusals/.test(event.outcomeDesc ?? ''),
      );
      assert.ok(summary !== undefined, 'the count was not written');
      assert.match(
        summary.outcomeDesc ?? '',
        /^\d+ further anonymous refusals from this source in the minute from /,
      );
      assert.deepEqual(auditEventProblems(summary), []);
    });
  });
}
