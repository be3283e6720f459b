import assert from 'node:assert/strict';
import type { AuditEvent, Bundle, Consent, Resource, Task } from '@medplum/fhirtypes';
import { compactDecrypt } from 'jose';
import request from 'supertest';
import { actorFromPrincipal } from '../../../src/audit/index.js';
import { applyTaskMessage } from '../../../src/referrals/index.js';
import { assertOutcome } from '../../support/outcome.js';
import { testEngines } from '../../support/test-database.js';
import {
  REQUEST_ID_SYSTEM,
  startAuditorNetwork,
  type AuditorNetwork,
} from '../audit/auditor-network.js';
import { shelterConsent, taskUpdateMessage } from '../referrals/referral-fixtures.js';

const JOSE = 'application/jose';
const PATCH = 'application/json-patch+json';

/** One FHIR read as a client makes it: path, bearer, Accept, and how to see the resource answered. */
interface ReadTarget {
  readonly name: string;
  readonly path: string;
  readonly bearer: string;
  readonly accept?: string;
  /** The resource in a 200's body (the Bundle arrives as a JWE to the shelter). */
  readonly open: (res: request.Response) => Promise<Resource>;
}

const jsonBody = (res: request.Response): Promise<Resource> =>
  Promise.resolve(res.body as Resource);

const lastModifiedOf = (resource: Resource): string =>
  new Date(resource.meta?.lastUpdated ?? '').toUTCString();

for (const engine of testEngines()) {
  describe(`FHIR reads are versioned and conditional (${engine.name})`, function () {
    this.timeout(60_000);
    let net: AuditorNetwork;
    let police: string;
    let shelter: string;
    let court: string;
    let taskId: string;
    let consentId: string;
    let auditEventId: string;

    const get = (target: Pick<ReadTarget, 'path' | 'bearer' | 'accept'>) => {
      const req = request(net.app).get(target.path).set('Authorization', `Bearer ${target.bearer}`);
      return target.accept === undefined ? req : req.set('Accept', target.accept);
    };

    const openBundle = async (res: request.Response): Promise<Resource> => {
      const { plaintext } = await compactDecrypt(res.text, net.shelter.encryption.privateKey);
      return JSON.parse(new TextDecoder().decode(plaintext)) as Bundle;
    };

    const targets = (): ReadTarget[] => [
      { name: 'Task', path: `/fhir/Task/${taskId}`, bearer: police, open: jsonBody },
      {
        name: 'Task vread',
        path: `/fhir/Task/${taskId}/_history/1`,
        bearer: shelter,
        open: jsonBody,
      },
      { name: 'Consent', path: `/fhir/Consent/${consentId}`, bearer: police, open: jsonBody },
      {
        name: 'Consent vread',
        path: `/fhir/Consent/${consentId}/_history/1`,
        bearer: police,
        open: jsonBody,
      },
      {
        name: 'Organization',
        path: '/fhir/Organization/casa-refugio',
        bearer: police,
        open: jsonBody,
      },
      { name: 'Endpoint', path: '/fhir/Endpoint/ep-casa-refugio', bearer: police, open: jsonBody },
      {
        name: 'Bundle',
        path: `/fhir/Bundle/${taskId}`,
        bearer: shelter,
        accept: JOSE,
        open: openBundle,
      },
    ];

    before(async () => {
      net = await startAuditorNetwork(engine);
      [police, shelter, court] = await Promise.all([
        net.token(net.police),
        net.token(net.shelter),
        net.token(net.court),
      ]);
      await net.store.db
        .insertInto('partner_endpoint')
        .values({
          id: 'ep-casa-refugio',
          partner_id: 'casa-refugio',
          address: 'https://casa-refugio.example.org/enlace',
          status: 'active',
        })
        .execute();
      taskId = await net.submitReferral(net.police, net.shelter);
      const consent = await request(net.app)
        .post('/fhir/Consent')
        .set('Authorization', `Bearer ${police}`)
        .set('Content-Type', 'application/fhir+json')
        .send(JSON.stringify(shelterConsent('4.512.337-1', 'police-central')))
        .expect(201);
      consentId = (consent.body as Consent).id ?? '';
      auditEventId = net.seeded[0]?.id ?? '';
    });
    after(() => net.dispose());

    it('answers every read with ETag W/"<versionId>" and Last-Modified from meta.lastUpdated', async () => {
      for (const target of targets()) {
        const res = await get(target).expect(200);
        const resource = await target.open(res);
        const versionId = resource.meta?.versionId;
        assert.ok(versionId !== undefined, `${target.name} carries meta.versionId`);
        assert.equal(res.headers.etag, `W/"${versionId}"`, `${target.name} ETag`);
        assert.equal(res.headers['last-modified'], lastModifiedOf(resource), target.name);
      }
    });

    it('answers 304 without a body for a matching If-None-Match, 200 for another version', async () => {
      for (const target of targets()) {
        const first = await get(target).expect(200);
        const etag = String(first.headers.etag);
        const unchanged = await get(target).set('If-None-Match', etag).expect(304);
        assert.equal(unchanged.text, '', `${target.name}: a 304 has no body`);
        assert.equal(unchanged.headers.etag, etag, `${target.name}: a 304 names the version`);
        assert.equal(unchanged.headers['content-type'], undefined);
        // A strong form of the same tag, a list holding it, and `*` match too (weak comparison).
        await get(target).set('If-None-Match', etag.slice(2)).expect(304);
        await get(target).set('If-None-Match', `W/"999", ${etag}`).expect(304);
        await get(target).set('If-None-Match', '*').expect(304);
        await get(target).set('If-None-Match', 'W/"999"').expect(200);
        await get(target).set('If-None-Match', 'not an entity tag').expect(200);
      }
    });

    it('answers 304 for If-Modified-Since at or after Last-Modified, unless If-None-Match differs', async () => {
      for (const target of targets()) {
        const first = await get(target).expect(200);
        const lastModified = String(first.headers['last-modified']);
        const secondBefore = new Date(Date.parse(lastModified) - 1000).toUTCString();
        await get(target).set('If-Modified-Since', lastModified).expect(304);
        await get(target).set('If-Modified-Since', secondBefore).expect(200);
        await get(target).set('If-Modified-Since', 'yesterday').expect(200);
        // If-None-Match decides when both are sent (RFC 9110 §13.2.2).
        await get(target)
          .set('If-None-Match', 'W/"999"')
          .set('If-Modified-Since', lastModified)
          .expect(200);
      }
    });

    it('answers the AuditEvent read alike, its body exactly the logged leaf', async () => {
      const res = await net.read(auditEventId).expect(200);
      assert.equal(res.headers.etag, 'W/"1"');
      const event = res.body as AuditEvent;
      assert.deepEqual(event, net.seeded[0], 'no meta is added to what the log hashed');
      assert.equal(res.headers['last-modified'], new Date(event.recorded).toUTCString());
      await net.read(auditEventId).set('If-None-Match', 'W/"1"').expect(304);
      await net
        .read(auditEventId)
        .set('If-Modified-Since', res.headers['last-modified'])
        .expect(304);
    });

    it('records a 304 like the read it answers, after the same authorization', async () => {
      const before = await net.auditCount();
      const target = { path: `/fhir/Task/${taskId}`, bearer: police };
      const etag = String((await get(target).expect(200)).headers.etag);
      await get(target).set('If-None-Match', etag).expect(304);
      const [read, notModified] = await net.auditSince(before);
      assert.ok(read !== undefined && notModified !== undefined);
      const shape = (event: AuditEvent) => ({
        subtype: event.subtype?.[0]?.code,
        outcome: event.outcome,
        agent: event.agent[0]?.who?.reference,
        // Everything but the request id, which is each request's own.
        entity: event.entity
          ?.map((entity) => entity.what?.reference ?? entity.what?.identifier)
          .filter((what) => typeof what === 'string' || what?.system !== REQUEST_ID_SYSTEM),
      });
      assert.deepEqual(shape(notModified), shape(read));
      assert.equal(notModified.outcome, '0');

      // Knowing the ETag earns nothing: another institution gets the 404 of a Task it may not see.
      const probe = await get({ ...target, bearer: court }).set('If-None-Match', etag);
      assertOutcome(probe, { status: 404, issue: 'not-found', code: 'ENLACE_RESOURCE_NOT_FOUND' });
      const consentProbe = await get({ path: `/fhir/Consent/${consentId}`, bearer: court }).set(
        'If-None-Match',
        'W/"1"',
      );
      assertOutcome(consentProbe, {
        status: 404,
        issue: 'not-found',
        code: 'ENLACE_RESOURCE_NOT_FOUND',
      });
      const anonymous = await request(net.app).get(target.path).set('If-None-Match', etag);
      assert.equal(anonymous.status, 401);
    });

    it('keeps the same Bundle version across retrievals, though each JWE is new', async () => {
      const target = { path: `/fhir/Bundle/${taskId}`, bearer: shelter, accept: JOSE };
      const [first, second] = [await get(target).expect(200), await get(target).expect(200)];
      assert.notEqual(first.text, second.text);
      assert.equal(first.headers.etag, second.headers.etag);
      assert.match(String(first.headers.etag), /^W\/"[0-9a-f]{32}"$/);
      assert.equal(first.headers['cache-control'], 'no-store');
      const notModified = await get(target).set('If-None-Match', String(first.headers.etag));
      assert.equal(notModified.status, 304);
      assert.equal(notModified.headers['cache-control'], 'no-store');
    });

    describe('Task history', () => {
      let id: string;

      before(async () => {
        id = await net.submitReferral(net.police, net.shelter);
        await get({ path: `/fhir/Bundle/${id}`, bearer: shelter, accept: JOSE }).expect(200);
        await request(net.app)
          .patch(`/fhir/Task/${id}`)
          .set('Authorization', `Bearer ${shelter}`)
          .set('Content-Type', PATCH)
          .set('If-Match', 'W/"2"')
          .send(JSON.stringify([{ op: 'replace', path: '/status', value: 'accepted' }]))
          .expect(200);
        // The third door: a signed referral-update message, as $process-message hands it on.
        const task = (await get({ path: `/fhir/Task/${id}`, bearer: shelter }).expect(200))
          .body as Task;
        const update = taskUpdateMessage(task, 'in-progress', '3');
        await net.store.transaction((unit) =>
          applyTaskMessage(unit, net.test.services.vault, {
            message: update,
            event: 'referral-update',
            partnerId: 'casa-refugio',
            actor: actorFromPrincipal(net.shelter.principal),
            at: new Date('2025-03-12T12:05:00Z'),
          }),
        );
      });

      it('lists every version newest first, each with the request that made it', async () => {
        const res = await get({ path: `/fhir/Task/${id}/_history`, bearer: police }).expect(200);
        const bundle = res.body as Bundle<Task>;
        assert.equal(bundle.type, 'history');
        assert.equal(bundle.total, 4);
        const base = `${net.test.services.config.publicUrl}/fhir`;
        assert.deepEqual(bundle.link, [{ relation: 'self', url: `${base}/Task/${id}/_history` }]);
        assert.deepEqual(
          (bundle.entry ?? []).map((entry) => [
            entry.fullUrl,
            entry.resource?.meta?.versionId,
            entry.resource?.status,
            entry.request?.method,
            entry.request?.url,
            entry.response?.status,
            entry.response?.etag,
          ]),
          [
            [
              `${base}/Task/${id}`,
              '4',
              'in-progress',
              'POST',
              '$process-message',
              '200 OK',
              'W/"4"',
            ],
            [`${base}/Task/${id}`, '3', 'accepted', 'PATCH', `Task/${id}`, '200 OK', 'W/"3"'],
            [`${base}/Task/${id}`, '2', 'received', 'GET', `Bundle/${id}`, '200 OK', 'W/"2"'],
            [`${base}/Task/${id}`, '1', 'requested', 'POST', '$process-message', '200 OK', 'W/"1"'],
          ],
        );
        for (const entry of bundle.entry ?? []) {
          assert.equal(entry.response?.lastModified, entry.resource?.meta?.lastUpdated);
          assert.equal(entry.resource?.id, id);
        }
      });

      it('reads each version as the Task read answered it then', async () => {
        const current = await get({ path: `/fhir/Task/${id}`, bearer: shelter }).expect(200);
        const fourth = await get({ path: `/fhir/Task/${id}/_history/4`, bearer: shelter }).expect(
          200,
        );
        assert.deepEqual(fourth.body, current.body);
        assert.equal(fourth.headers['last-modified'], 'Wed, 12 Mar 2025 12:05:00 GMT');
        const second = await get({ path: `/fhir/Task/${id}/_history/2`, bearer: police }).expect(
          200,
        );
        assert.equal((second.body as Task).status, 'received');
        assert.equal(second.headers.etag, 'W/"2"');
        for (const vid of ['5', '0', 'abc']) {
          const missing = await get({ path: `/fhir/Task/${id}/_history/${vid}`, bearer: police });
          assertOutcome(missing, {
            status: 404,
            issue: 'not-found',
            code: 'ENLACE_RESOURCE_NOT_FOUND',
          });
        }
      });

      it('shows the history only to the two parties, and records who looked', async () => {
        for (const path of [`/fhir/Task/${id}/_history`, `/fhir/Task/${id}/_history/1`]) {
          const probe = await get({ path, bearer: court });
          assertOutcome(probe, {
            status: 404,
            issue: 'not-found',
            code: 'ENLACE_RESOURCE_NOT_FOUND',
          });
        }
        const before = await net.auditCount();
        await get({ path: `/fhir/Task/${id}/_history`, bearer: police }).expect(200);
        await get({ path: `/fhir/Task/${id}/_history/2`, bearer: police }).expect(200);
        const [history, vread] = await net.auditSince(before);
        assert.equal(history?.subtype?.[0]?.code, 'history-instance');
        assert.equal(history.entity?.[0]?.what?.reference, `Task/${id}`);
        assert.equal(vread?.subtype?.[0]?.code, 'vread');
        assert.equal(vread.entity?.[0]?.what?.reference, `Task/${id}/_history/2`);
        // Both name her pseudonym, so her disclosure report finds them.
        for (const event of [history, vread]) {
          assert.ok(event.entity?.some((entity) => entity.what?.identifier?.value !== undefined));
        }
      });

      it('keeps the versions sealed like the Task itself', async () => {
        const rows = await net.store.db
          .selectFrom('task_version')
          .select(['task'])
          .where('referral_id', '=', id)
          .execute();
        assert.equal(rows.length, 4);
        for (const row of rows) assert.doesNotMatch(row.task, /accepted|requested|Organization/);
      });
    });

    it('describes conditional reads and version history in the CapabilityStatement', async () => {
      const res = await request(net.app).get('/fhir/metadata').expect(200);
      const resources = (res.body as { rest: { resource: Record<string, unknown>[] }[] }).rest[0]
        ?.resource;
      const of = (type: string) => resources?.find((resource) => resource.type === type);
      for (const type of ['Task', 'Consent', 'Organization', 'Endpoint', 'AuditEvent', 'Bundle']) {
        assert.equal(of(type)?.conditionalRead, 'full-support', type);
      }
      assert.equal(of('Task')?.readHistory, true);
      assert.equal(of('Consent')?.readHistory, true);
      const interactions = (of('Task')?.interaction as { code: string }[]).map((i) => i.code);
      assert.ok(interactions.includes('history-instance') && interactions.includes('vread'));
    });
  });
}
