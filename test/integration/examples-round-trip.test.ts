import assert from 'node:assert/strict';
import type { Bundle, MessageHeader, Parameters, Task } from '@medplum/fhirtypes';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { enqueueBreakGlassNotices } from '../../src/referrals/index.js';
import type { PartnerRole } from '../../src/partners/index.js';
import {
  encryptMessage,
  gatewayEncryptionJwk,
  partnerAuthorizer,
  registerTestPartner,
  signReferral,
  type TestPartner,
} from './referrals/referral-fixtures.js';
import { loadExample, manifest } from '../support/example-manifest.js';
import { createTestServices, type TestServices } from '../support/test-app.js';
import { testEngines, type TestDatabase } from '../support/test-database.js';

/** After the consent's dateTime and the referral's times, inside the consent's period. */
const NOW = new Date('2025-03-10T20:00:00.000Z');
const FHIR_JSON = 'application/fhir+json';
const PATCH = 'application/json-patch+json';

const messageFile = (event: string): string =>
  manifest.messages.find((example) => example.event === event)?.file ?? '';
const noticeFile = (kind: string): string =>
  manifest.notices.find((example) => example.kind === kind)?.file ?? '';
const requestFile = (operationId: string): string =>
  manifest.requests.find((example) => example.operationId === operationId)?.file ?? '';
const patchFile = (status: string): string =>
  manifest.taskPatches.find((example) => example.status === status)?.file ?? '';

/**
 * The element paths of a JSON value with the type of each leaf, arrays folded
 * (`entry[].resource.id:string`): what two messages share when their ids and times differ.
 */
function shapeOf(value: unknown, path = ''): Set<string> {
  if (Array.isArray(value)) {
    return new Set(value.flatMap((item) => [...shapeOf(item, `${path}[]`)]));
  }
  if (typeof value === 'object' && value !== null) {
    return new Set(
      Object.entries(value).flatMap(([key, member]) => [
        ...shapeOf(member, path === '' ? key : `${path}.${key}`),
      ]),
    );
  }
  return new Set([`${path}:${typeof value}`]);
}

const sorted = (paths: Set<string>): string[] => [...paths].sort();

/** The MessageHeader's event of a notice or message. */
const eventOf = (bundle: Bundle): string | undefined =>
  (bundle.entry?.[0]?.resource as MessageHeader | undefined)?.eventCoding?.code;

for (const engine of testEngines()) {
  describe(`the examples, sent to a gateway as written (${engine.name})`, function () {
    let database: TestDatabase;
    let test: TestServices;
    let app: Express;
    let partners: TestPartner[] = [];

    before(async () => {
      database = await engine.create();
      test = await createTestServices({
        env: database.env,
        clock: () => new Date(NOW),
        authorize: partnerAuthorizer(() => partners),
      });
      const register = (id: string, role: PartnerRole) =>
        registerTestPartner(test.store, id, role, NOW.toISOString());
      // The institutions the examples name.
      partners = [
        await register('police-central', 'police'),
        await register('shelter-sur', 'shelter'),
        await register('hospital-central', 'health'),
      ];
      app = createApp(test.services);
    });
    after(async () => {
      await test.dispose();
      await database.drop();
    });

    const partner = (id: string): TestPartner => {
      const found = partners.find((candidate) => candidate.id === id);
      assert.ok(found, id);
      return found;
    };

    const post = (path: string, as: string, body: unknown, type = FHIR_JSON) =>
      request(app)
        .post(path)
        .set('Authorization', `Bearer ${as}`)
        .set('Content-Type', type)
        .send(typeof body === 'string' ? body : JSON.stringify(body));

    const patch = (path: string, as: string, version: number, body: unknown) =>
      request(app)
        .patch(path)
        .set('Authorization', `Bearer ${as}`)
        .set('Content-Type', PATCH)
        .set('If-Match', `W/"${version}"`)
        .send(JSON.stringify(body));

    /** Signs the message as its sender (replacing the placeholder), encrypts it, submits it. */
    async function send(bundle: Bundle, from: string): Promise<Bundle> {
      const signed = await signReferral(bundle, partner(from), NOW);
      const jwe = await encryptMessage(signed, gatewayEncryptionJwk(test.services.keys));
      const res = await post('/fhir/$process-message', from, jwe, 'application/jose');
      assert.equal(res.status, 200, res.text);
      return JSON.parse(res.text) as Bundle;
    }

    /** The referral example again under another Bundle.identifier: a new referral. */
    async function refer(copy: number): Promise<string> {
      const bundle = loadExample(messageFile('referral-request')) as Bundle;
      if (copy > 0 && bundle.identifier !== undefined) {
        bundle.identifier.value = `${bundle.identifier.value ?? ''}-${copy}`;
      }
      const answer = await send(bundle, 'police-central');
      const focus = (answer.entry?.[0]?.resource as MessageHeader).focus?.[0]?.reference ?? '';
      assert.match(focus, /^Task\//);
      return focus.slice('Task/'.length);
    }

    /** A Task message example about referral `id`, as its sender would fill it in. */
    function taskMessage(event: string, id: string): Bundle {
      const bundle = loadExample(messageFile(event)) as Bundle;
      const task = bundle.entry?.find((entry) => entry.resource?.resourceType === 'Task')
        ?.resource as Task;
      task.id = id;
      return bundle;
    }

    const inbox = async (as: string): Promise<Bundle[]> => {
      const res = await request(app)
        .get('/fhir/$notices?_count=100')
        .set('Authorization', `Bearer ${as}`)
        .expect(200);
      return ((res.body as Bundle).entry ?? []).map((entry) => entry.resource as Bundle);
    };

    const assertShaped = (example: string, sent: Bundle | undefined): void => {
      assert.ok(sent, `the gateway sent what ${example} shows`);
      assert.deepEqual(sorted(shapeOf(loadExample(example))), sorted(shapeOf(sent)), example);
    };

    it('records the consent, sends every message and takes every step of the loop', async () => {
      const recorded = await post(
        '/fhir/Consent',
        'police-central',
        loadExample(requestFile('createConsent')),
      );
      assert.equal(recorded.status, 201, recorded.text);
      const consentId = (recorded.body as { id: string }).id;
      const evaluation = await post(
        '/fhir/Consent/$evaluate',
        'police-central',
        loadExample(requestFile('evaluateConsent')),
      ).expect(200);
      const decision = (evaluation.body as Parameters).parameter?.find(
        (p) => p.name === 'decision',
      );
      assert.equal(decision?.valueCode, 'permit');

      // The referral request as profiles/ holds it; the gateway's answer has the reply's shape.
      const request1 = loadExample(messageFile('referral-request')) as Bundle;
      const answer = await send(request1, 'police-central');
      const reply = manifest.messages.find(
        (example) => example.event === 'referral-request',
      )?.reply;
      const invented = sorted(shapeOf(loadExample(reply ?? ''))).filter(
        (path) => !shapeOf(answer).has(path),
      );
      assert.deepEqual(invented, [], 'the reply example has nothing the gateway does not send');
      const first = (
        (answer.entry?.[0]?.resource as MessageHeader).focus?.[0]?.reference ?? ''
      ).slice('Task/'.length);

      // The shelter acknowledges, accepts by message, then starts and completes by PATCH.
      await send(loadExample(messageFile('acknowledgement')) as Bundle, 'shelter-sur');
      await send(taskMessage('referral-update', first), 'shelter-sur');
      const path = (id: string) => `/fhir/Task/${id}`;
      await patch(path(first), 'shelter-sur', 2, loadExample(patchFile('in-progress'))).expect(200);
      await patch(path(first), 'shelter-sur', 3, loadExample(patchFile('completed'))).expect(200);

      // The other steps, each on a referral of its own.
      const second = await refer(2);
      await patch(path(second), 'shelter-sur', 1, loadExample(patchFile('received'))).expect(200);
      await patch(path(second), 'shelter-sur', 2, loadExample(patchFile('rejected'))).expect(200);
      const third = await refer(3);
      await patch(path(third), 'shelter-sur', 1, loadExample(patchFile('accepted'))).expect(200);
      await patch(path(third), 'shelter-sur', 2, loadExample(patchFile('failed'))).expect(200);
      const fourth = await refer(4);
      await patch(path(fourth), 'police-central', 1, loadExample(patchFile('cancelled'))).expect(
        200,
      );
      const fifth = await refer(5);
      await send(taskMessage('referral-cancel', fifth), 'police-central');
      const statuses = await Promise.all(
        [first, second, third, fourth, fifth].map(async (id) => {
          const res = await request(app)
            .get(path(id))
            .set('Authorization', 'Bearer police-central')
            .expect(200);
          return (res.body as Task).status;
        }),
      );
      assert.deepEqual(statuses, ['completed', 'rejected', 'failed', 'cancelled', 'cancelled']);

      // Break the glass (the worker queues the notice at its next pass), then withdraw consent.
      const grant = await post(
        '/fhir/Consent/$emergency-access',
        'hospital-central',
        loadExample(requestFile('emergencyAccess')),
      );
      assert.equal(grant.status, 201, grant.text);
      await enqueueBreakGlassNotices(test.store.db, NOW, test.services.vault);
      await request(app)
        .get(`/fhir/Bundle/${first}`)
        .set('Authorization', 'Bearer shelter-sur')
        .set('Accept', 'application/jose')
        .expect(200);
      const revoked = await patch(
        `/fhir/Consent/${consentId}`,
        'police-central',
        1,
        loadExample(requestFile('patchConsent')),
      );
      assert.equal(revoked.status, 200, revoked.text);

      // What each institution was told has the shape of the notice examples.
      const toPolice = await inbox('police-central');
      const about = (bundle: Bundle, id: string) =>
        JSON.stringify(bundle.entry?.[0]?.resource).includes(`Task/${id}`);
      assertShaped(
        noticeFile('acknowledgement'),
        toPolice.find((n) => eventOf(n) === 'acknowledgement' && about(n, first)),
      );
      const accepted = toPolice.find(
        (n) =>
          eventOf(n) === 'task-update' &&
          about(n, first) &&
          (n.entry?.[1]?.resource as Task).status === 'accepted',
      );
      assertShaped(noticeFile('task-update'), accepted);
      assertShaped(
        noticeFile('break-glass'),
        toPolice.find((n) => eventOf(n) === 'break-glass'),
      );
      const toShelter = await inbox('shelter-sur');
      assertShaped(
        noticeFile('consent-revoked'),
        toShelter.find((n) => eventOf(n) === 'consent-revoked'),
      );

      // The station acknowledges what it pulled, in the example's form, with the ids it got.
      const pulled = toPolice.filter((n) => n === accepted || eventOf(n) === 'acknowledgement');
      const acknowledgement = loadExample(requestFile('acknowledgeNotices')) as Parameters;
      acknowledgement.parameter = pulled.map((n) => ({ name: 'notice', valueId: n.id ?? '' }));
      await post('/fhir/$acknowledge-notices', 'police-central', acknowledgement).expect(200);
      const left = (await inbox('police-central')).map((n) => n.id);
      for (const n of pulled) assert.ok(!left.includes(n.id), 'acknowledged notices are gone');
    });
  });
}
