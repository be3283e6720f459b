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

    const protectedRefusals: readonly [string, () => request.Test, number, string][] = [
      [
        'a malformed bearer token',
        () => request(net.app).get('/fhir/Task').set('Authorization', 'Bearer not.a.token'),
        401,
        'GET /fhir/Task requires system/Task.s',
      ],
      [
        'no token at all',
        () => request(net.app).get('/fhir/Bundle/x').set('Accept', 'application/jose'),
        401,
        'GET /fhir/Bundle/:id requires system/Bundle.r',
      ],
      [
        "a partner's token on an operator route",
        () => request(net.app).get('/admin/partners').set('Authorization', `Bearer ${court}`),
        401,
        'GET /admin/partners requires operator',
      ],
      [
        'a token without the scope the route needs',
        () =>
          request(net.app)
            .post('/fhir/Consent')
            .set('Authorization', `Bearer ${court}`)
            .set('Content-Type', 'application/fhir+json')
            .send('{}'),
        403,
        'POST /fhir/Consent requires system/Consent.c',
      ],
    ];
    for (const [name, send, status, description] of protectedRefusals) {
      it(`says what ${name} probed: method, route pattern and request id, with no empty element`, async () => {
        const requestId = `probe-${status}-${description.length}`;
        const events = await probe(() => send().set('X-Request-Id', requestId), status);
        assert.equal(events.length, 1, JSON.stringify(events));
        const [event] = events as [AuditEvent];
        assert.equal(describeEntity(event), description);
        assert.equal(requestIdOf(event), requestId);
        assert.deepEqual(auditEventProblems(event), []);
      });
    }
  });
}
