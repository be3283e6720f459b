// The notice inbox for institutions without a push endpoint: pending notices in order, paged, returned until acknowledged, never after.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AuditEvent, Bundle, Parameters } from '@medplum/fhirtypes';
import request from 'supertest';
import { assertOutcome } from '../../support/outcome.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';
import {
  createReferralNetwork,
  submitReferral,
  type ReferralNetwork,
} from './referral-fixtures.js';
import { contentOf, headerOf, noticeProblems, sequenceOf, verifyNotice } from './notice-helpers.js';

const NOTE = 'Prefiere que la llamen después de las seis, nunca al trabajo';
const INVALID = { status: 400, issue: 'invalid', code: 'ENLACE_INVALID_PARAMETER' } as const;
const NOT_FOUND = { status: 404, issue: 'not-found', code: 'ENLACE_RESOURCE_NOT_FOUND' } as const;

const acknowledgement = (...ids: string[]): Parameters => ({
  resourceType: 'Parameters',
  parameter: ids.map((id) => ({ name: 'notice', valueId: id })),
});

for (const engine of testEngines()) {
  describe(`the notice inbox (${engine.name})`, function () {
    let database: TestDatabase;
    let net: ReferralNetwork;
    let referralId: string;

    const inbox = (bearer: string, query = '') =>
      request(net.app).get(`/fhir/$notices${query}`).set('Authorization', `Bearer ${bearer}`);
    const acknowledge = (bearer: string, body: unknown) =>
      request(net.app)
        .post('/fhir/$acknowledge-notices')
        .set('Authorization', `Bearer ${bearer}`)
        .set('Content-Type', 'application/fhir+json')
        .send(JSON.stringify(body));

    /** The page's notices, each with the gateway's signature checked. */
    async function noticesIn(res: request.Response): Promise<Bundle[]> {
      assert.equal(res.status, 200, res.text.slice(0, 500));
      const page = res.body as Bundle;
      assert.equal(page.type, 'searchset');
      const notices = (page.entry ?? []).map((entry) => {
        assert.equal(entry.fullUrl, `urn:uuid:${entry.resource?.id ?? ''}`);
        return entry.resource as Bundle;
      });
      for (const notice of notices) {
        await verifyNotice(net.test, notice);
        assert.deepEqual(noticeProblems(notice), [], 'a valid FHIR R4 message');
      }
      return notices;
    }

    const idsOf = (notices: readonly Bundle[]) => notices.map((notice) => notice.id ?? '');

    const eventsOf = async (): Promise<AuditEvent[]> =>
      (await net.store.audit.list()).map((record) => record.event);

    before(async () => {
      database = await engine.create();
      net = await createReferralNetwork({ env: database.env });
      const survivor = `S-${randomUUID()}`;
      await net.recordConsent(survivor);
      const message = await net.referral(net.police, net.shelter, { survivorId: survivor });
      referralId = await submitReferral(net.app, net.store, message, net.police.id);
      // The shelter retrieves (received) and accepts with a note: two Task updates for the station.
      await request(net.app)
        .get(`/fhir/Bundle/${referralId}`)
        .set('Authorization', `Bearer ${net.shelter.id}`)
        .set('Accept', 'application/jose')
        .expect(200);
      const accepted = await request(net.app)
        .patch(`/fhir/Task/${referralId}`)
        .set('Authorization', `Bearer ${net.shelter.id}`)
        .set('Content-Type', 'application/json-patch+json')
        .set('If-Match', 'W/"2"')
        .send(
          JSON.stringify([
            { op: 'replace', path: '/status', value: 'accepted' },
            { op: 'add', path: '/note', value: [{ text: NOTE }] },
          ]),
        );
      assert.equal(accepted.status, 200, accepted.text);
    });
    after(async () => {
      await net.dispose();
      await database.drop();
    });

    it("returns the station's Task updates in order, signed, numbered and with the Task of each version", async () => {
      const res = await inbox(net.police.id);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal((res.body as Bundle).total, 2);
      const notices = await noticesIn(res);
      assert.deepEqual(
        notices.map((notice) => headerOf(notice).eventCoding?.code),
        ['task-update', 'task-update'],
      );
      assert.deepEqual(
        notices.map((notice) => headerOf(notice).eventCoding?.system),
        [
          'https://enlace.example.org/fhir/CodeSystem/delivery-notice',
          'https://enlace.example.org/fhir/CodeSystem/delivery-notice',
        ],
      );
      assert.deepEqual(notices.map(sequenceOf), [
        [`Task/${referralId}`, 1],
        [`Task/${referralId}`, 2],
      ]);
      const tasks = notices.map((notice) => contentOf(notice, 'Task'));
      assert.deepEqual(
        tasks.map((task) => [task.id, task.meta?.versionId, task.status]),
        [
          [referralId, '2', 'received'],
          [referralId, '3', 'accepted'],
        ],
      );
      assert.equal(tasks[1]?.note?.[0]?.text, NOTE);
      assert.equal(
        headerOf(notices[0] ?? ({} as Bundle)).destination?.[0]?.receiver?.reference,
        `Organization/${net.police.id}`,
      );
    });

    it('returns the same notices to every read until they are acknowledged', async () => {
      const first = idsOf(await noticesIn(await inbox(net.police.id)));
      const again = idsOf(await noticesIn(await inbox(net.police.id)));
      assert.deepEqual(again, first);
    });

    it('pages with an opaque cursor and finds each notice once', async () => {
      const all = idsOf(await noticesIn(await inbox(net.police.id)));
      const first = await inbox(net.police.id, '?_count=1');
      const page = first.body as Bundle;
      assert.equal(page.total, 2);
      const next = page.link?.find((link) => link.relation === 'next')?.url;
      assert.ok(next !== undefined);
      const url = new URL(next);
      assert.equal(url.pathname.endsWith('/fhir/$notices'), true);
      const second = await inbox(net.police.id, url.search);
      assert.deepEqual([...idsOf(await noticesIn(first)), ...idsOf(await noticesIn(second))], all);
      assert.equal(
        (second.body as Bundle).link?.some((link) => link.relation === 'next'),
        false,
        'the last page has no next link',
      );
      const foreign = await inbox(net.shelter.id, url.search);
      assertOutcome(foreign, {
        status: 400,
        issue: 'invalid',
        code: 'ENLACE_SEARCH_CURSOR_INVALID',
      });
      assert.equal(
        ((await inbox(net.police.id, '?_count=0')).body as Bundle).entry,
        undefined,
        '_count=0 answers only the total',
      );
    });

    it('keeps each institution to its own notices', async () => {
      const shelter = await noticesIn(await inbox(net.shelter.id));
      assert.deepEqual(shelter, []);
      assert.equal(((await inbox(net.court.id)).body as Bundle).total, 0);
    });

    it('acknowledges by id: an acknowledged notice is never returned again, a repeat is harmless', async () => {
      const [first, second] = idsOf(await noticesIn(await inbox(net.police.id)));
      assert.ok(first !== undefined && second !== undefined);
      const res = await acknowledge(net.police.id, acknowledgement(first)).expect(200);
      assert.deepEqual((res.body as Parameters).parameter, [
        { name: 'acknowledged', valueInteger: 1 },
        { name: 'remaining', valueInteger: 1 },
      ]);
      assert.deepEqual(idsOf(await noticesIn(await inbox(net.police.id))), [second]);
      const repeat = await acknowledge(net.police.id, acknowledgement(first)).expect(200);
      assert.deepEqual((repeat.body as Parameters).parameter?.[0], {
        name: 'acknowledged',
        valueInteger: 0,
      });
      const row = await net.store.db
        .selectFrom('delivery')
        .select(['status', 'delivered_at'])
        .where('id', '=', first)
        .executeTakeFirstOrThrow();
      assert.equal(row.status, 'delivered', 'nor will it be pushed');
      assert.equal(row.delivered_at, net.test.services.clock().toISOString());
    });

    it("acknowledges nothing when one id is not the caller's notice", async () => {
      const [second] = idsOf(await noticesIn(await inbox(net.police.id)));
      assert.ok(second !== undefined);
      const unknown = randomUUID();
      const refused = assertOutcome(
        await acknowledge(net.police.id, acknowledgement(second, unknown)),
        NOT_FOUND,
      );
      assert.match(refused.issue[0]?.details?.text ?? '', new RegExp(unknown));
      // Another institution cannot acknowledge (nor learn of) the station's notice.
      assertOutcome(await acknowledge(net.shelter.id, acknowledgement(second)), NOT_FOUND);
      assert.deepEqual(idsOf(await noticesIn(await inbox(net.police.id))), [second]);
    });

    it('refuses a malformed acknowledgement or an unknown parameter, naming what is wrong', async () => {
      const wrong = assertOutcome(
        await acknowledge(net.police.id, {
          resourceType: 'Parameters',
          parameter: [{ name: 'notice', valueString: 'not-an-id' }],
        }),
        INVALID,
      );
      assert.deepEqual(wrong.issue[0]?.expression, ['Parameters.parameter[0].valueId']);
      assertOutcome(await acknowledge(net.police.id, { resourceType: 'Parameters' }), INVALID);
      assertOutcome(await acknowledge(net.police.id, { resourceType: 'Bundle' }), INVALID);
      assertOutcome(
        await acknowledge(
          net.police.id,
          acknowledgement(...Array.from({ length: 101 }, () => randomUUID())),
        ),
        INVALID,
      );
      assertOutcome(await inbox(net.police.id, '?since=2025'), INVALID);
      assertOutcome(await inbox(net.police.id, '?_count=1&_count=2'), INVALID);
    });

    it('answers 406 to an Accept that excludes FHIR JSON, and 401 without a token', async () => {
      assertOutcome(await inbox(net.police.id).set('Accept', 'application/xml'), {
        status: 406,
        issue: 'not-supported',
        code: 'ENLACE_NOT_ACCEPTABLE',
      });
      assertOutcome(
        await acknowledge(net.police.id, acknowledgement(randomUUID())).set('Accept', 'text/html'),
        { status: 406, issue: 'not-supported', code: 'ENLACE_NOT_ACCEPTABLE' },
      );
      assertOutcome(await request(net.app).get('/fhir/$notices'), {
        status: 401,
        issue: 'login',
        code: 'ENLACE_TOKEN_INVALID',
      });
    });

    it('holds consent-revoked and break-the-glass notices for the institutions they are owed to', async () => {
      const consent = await net.store.db
        .selectFrom('consent')
        .select('id')
        .where('recorder', '=', net.police.id)
        .executeTakeFirstOrThrow();
      const revoked = await request(net.app)
        .patch(`/fhir/Consent/${consent.id}`)
        .set('Authorization', `Bearer ${net.police.id}`)
        .set('Content-Type', 'application/json-patch+json')
        .send(
          JSON.stringify([
            { op: 'replace', path: '/status', value: 'inactive' },
            {
              op: 'add',
              path: '/extension/-',
              value: {
                url: 'https://enlace.example.org/fhir/StructureDefinition/revocation-reason',
                valueString: 'She withdrew consent in person.',
              },
            },
          ]),
        );
      assert.equal(revoked.status, 200, revoked.text);
      // A break-the-glass notice owed to the station, as the emergency flow records it.
      const at = net.test.services.clock().toISOString();
      await net.store.db
        .insertInto('notification')
        .values({
          id: 'n-inbox',
          recipient: net.police.id,
          kind: 'break-glass',
          payload: JSON.stringify({ grant: 'g1', organization: net.court.id, role: 'court' }),
          created_at: at,
          delivered_at: null,
        })
        .execute();
      const shelter = await noticesIn(await inbox(net.shelter.id));
      assert.deepEqual(
        shelter.map((notice) => headerOf(notice).eventCoding?.code),
        ['consent-revoked'],
      );
      const notice = contentOf(shelter[0] ?? ({} as Bundle), 'Parameters');
      assert.ok(
        notice.parameter?.some(
          (parameter) => parameter.valueReference?.reference === `Bundle/${referralId}`,
        ),
      );
      const police = await noticesIn(await inbox(net.police.id));
      const breakGlass = police.find(
        (candidate) => headerOf(candidate).eventCoding?.code === 'break-glass',
      );
      assert.ok(breakGlass !== undefined, 'owed since the last worker pass, in the inbox at once');
      assert.equal(sequenceOf(breakGlass), undefined);
      await acknowledge(net.police.id, acknowledgement(breakGlass.id ?? '')).expect(200);
      const marked = await net.store.db
        .selectFrom('notification')
        .select('delivered_at')
        .where('id', '=', 'n-inbox')
        .executeTakeFirstOrThrow();
      assert.equal(marked.delivered_at, at);
    });

    it('records every read and acknowledgement, refusals included, and never the content', async () => {
      const events = await eventsOf();
      const reads = events.filter((event) =>
        event.entity?.some((entity) => entity.description?.startsWith('$notices')),
      );
      const acks = events.filter((event) =>
        event.entity?.some((entity) => entity.description?.startsWith('$acknowledge-notices')),
      );
      assert.ok(reads.some((event) => event.action === 'E' && event.outcome === '0'));
      assert.ok(
        reads.some((event) => event.outcome === '4'),
        'a refused read is recorded',
      );
      assert.ok(acks.some((event) => event.action === 'U' && event.outcome === '0'));
      assert.ok(
        acks.some((event) => event.outcome === '4'),
        'a refused acknowledgement too',
      );
      const named = acks.find(
        (event) =>
          event.outcome === '0' &&
          event.entity?.some((entity) => entity.what?.reference === `Bundle/${referralId}`),
      );
      assert.ok(named !== undefined, 'the referral a notice concerns is named');
      assert.equal(named.agent[0]?.who?.reference, `Organization/${net.police.id}`);
      assert.ok(!JSON.stringify(events).includes(NOTE), 'no note in the audit trail');
    });

    it('lists $notices and $acknowledge-notices in the CapabilityStatement', async () => {
      const res = await request(net.app).get('/fhir/metadata').expect(200);
      assert.match(res.text, /OperationDefinition\/notices"/);
      assert.match(res.text, /OperationDefinition\/acknowledge-notices"/);
      assert.match(res.text, /OperationDefinition\/Task-acknowledgement"/);
    });
  });
}
