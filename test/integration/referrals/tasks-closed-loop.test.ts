import assert from 'node:assert/strict';
import type { Bundle, Task } from '@medplum/fhirtypes';
import request from 'supertest';
import { actorFromPrincipal } from '../../../src/audit/index.js';
import { submissionRoutes } from '../../../src/http/submission-routes.js';
import { taskRoutes } from '../../../src/http/task-routes.js';
import { applyTaskMessage } from '../../../src/referrals/task-updates/index.js';
import { assertOutcome } from '../../support/outcome.js';
import {
  createReferralNetwork,
  type ReferralNetwork,
  submitReferral,
  taskUpdateMessage,
} from './referral-fixtures.js';

const PATCH = 'application/json-patch+json';
const reason = (text: string) => ({ text });

describe('the closed loop of a referral over Task', function () {
  let network: ReferralNetwork;

  beforeEach(async () => {
    network = await createReferralNetwork({
      routes: (test) => [...submissionRoutes(test.services), ...taskRoutes(test.services)],
    });
  });
  afterEach(() => network.dispose());

  async function submit(survivorId = `s-${Math.random()}`): Promise<string> {
    await network.recordConsent(survivorId);
    const { jwe, bundle } = await network.referral(network.police, network.shelter, { survivorId });
    const id = await submitReferral(network.app, network.store, { jwe, bundle }, 'police-central');
    return id;
  }

  const patch = (id: string, as: string, version: number | undefined, body: unknown) => {
    const req = request(network.app)
      .patch(`/fhir/Task/${id}`)
      .set('Authorization', `Bearer ${as}`)
      .set('Content-Type', PATCH);
    if (version !== undefined) void req.set('If-Match', `W/"${version}"`);
    return req.send(JSON.stringify(body));
  };

  const notices = async (id: string) =>
    (
      await network.store.db
        .selectFrom('delivery')
        .select(['recipient', 'idempotency_key', 'payload'])
        .where('kind', '=', 'task-update')
        .where('referral_id', '=', id)
        .orderBy('created_at')
        .execute()
    ).map((row) => [row.recipient, row.idempotency_key]);

  it('accepts, starts and completes with an output; each step audited and told to the sender', async () => {
    const id = await submit();
    const auditBefore = await network.store.audit.count();
    const accepted = await patch(id, 'casa-refugio', 1, [
      { op: 'replace', path: '/status', value: 'accepted' },
      { op: 'add', path: '/note/-', value: { text: 'Bed available tonight.' } },
    ]).expect(200);
    assert.equal(accepted.headers.etag, 'W/"2"');
    assert.equal((accepted.body as Task).status, 'accepted');
    assert.equal((accepted.body as Task).businessStatus?.coding?.[0]?.code, 'accepted');
    assert.equal(
      (accepted.body as Task).note?.[0]?.authorReference?.reference,
      'Organization/casa-refugio',
    );
    await patch(id, 'casa-refugio', 2, [
      { op: 'replace', path: '/status', value: 'in-progress' },
    ]).expect(200);
    const done = await patch(id, 'casa-refugio', 3, [
      { op: 'replace', path: '/status', value: 'completed' },
      {
        op: 'add',
        path: '/output/-',
        value: { type: { text: 'service provided' }, valueString: 'shelter placement' },
      },
    ]).expect(200);
    assert.equal((done.body as Task).output?.[0]?.valueString, 'shelter placement');
    assert.equal((done.body as Task).meta?.versionId, '4');
    assert.deepEqual(await notices(id), [
      ['police-central', `${id}:task:2`],
      ['police-central', `${id}:task:3`],
      ['police-central', `${id}:task:4`],
    ]);
    const events = await network.store.audit.list({ afterSeq: auditBefore });
    const patches = events.filter((record) => record.event.subtype?.[0]?.code === 'patch');
    assert.equal(patches.length, 3);
    const [first] = patches;
    assert.ok(first !== undefined);
    assert.equal(first.event.entity?.[0]?.what?.reference, `Task/${id}`);
    assert.equal(first.event.agent.at(0)?.who?.reference, 'Organization/casa-refugio');

    // The sender sees the loop close.
    const seen = await request(network.app)
      .get(`/fhir/Task/${id}`)
      .set('Authorization', 'Bearer police-central')
      .expect(200);
    assert.equal((seen.body as Task).status, 'completed');
    assert.equal(seen.headers.etag, 'W/"4"');
  });

  it('refuses a rejection without statusReason (400) and an invalid transition (409)', async () => {
    const id = await submit();
    const noReason = await patch(id, 'casa-refugio', 1, [
      { op: 'replace', path: '/status', value: 'rejected' },
    ]).expect(400);
    assertOutcome(noReason, {
      status: 400,
      issue: 'required',
      code: 'ENLACE_TASK_REASON_REQUIRED',
    });
    const invalid = await patch(id, 'casa-refugio', 1, [
      { op: 'replace', path: '/status', value: 'completed' },
      { op: 'add', path: '/output/-', value: { type: { text: 'x' }, valueString: 'y' } },
    ]).expect(409);
    assertOutcome(invalid, {
      status: 409,
      issue: 'business-rule',
      code: 'ENLACE_TASK_TRANSITION_INVALID',
    });
    const bySender = await patch(id, 'police-central', 1, [
      { op: 'replace', path: '/status', value: 'accepted' },
    ]).expect(409);
    assertOutcome(bySender, {
      status: 409,
      issue: 'business-rule',
      code: 'ENLACE_TASK_TRANSITION_INVALID',
    });
    const rejected = await patch(id, 'casa-refugio', 1, [
      { op: 'replace', path: '/status', value: 'rejected' },
      { op: 'add', path: '/statusReason', value: reason('No capacity.') },
    ]).expect(200);
    assert.equal((rejected.body as Task).statusReason?.text, 'No capacity.');
    assert.deepEqual(await notices(id), [['police-central', `${id}:task:2`]]);
  });

  it('requires If-Match (428), refuses a stale one (412) and changes nothing', async () => {
    const id = await submit();
    const missing = await patch(id, 'casa-refugio', undefined, [
      { op: 'replace', path: '/status', value: 'accepted' },
    ]).expect(428);
    assertOutcome(missing, {
      status: 428,
      issue: 'required',
      code: 'ENLACE_TASK_PRECONDITION_REQUIRED',
    });
    await patch(id, 'casa-refugio', 1, [
      { op: 'replace', path: '/status', value: 'accepted' },
    ]).expect(200);
    const stale = await patch(id, 'casa-refugio', 1, [
      { op: 'replace', path: '/status', value: 'in-progress' },
    ]).expect(412);
    assertOutcome(stale, { status: 412, issue: 'conflict', code: 'ENLACE_TASK_VERSION_MISMATCH' });
    assert.equal(
      (
        await network.store.db
          .selectFrom('referral')
          .select('task_version')
          .executeTakeFirstOrThrow()
      ).task_version,
      2,
    );
  });

  it('refuses changes outside the loop (422), malformed patches (400), another media type (415) and strangers (404)', async () => {
    const id = await submit();
    const owner = await patch(id, 'casa-refugio', 1, [
      { op: 'replace', path: '/owner', value: { reference: 'Organization/juzgado-familia' } },
    ]).expect(422);
    assertOutcome(owner, {
      status: 422,
      issue: 'not-supported',
      code: 'ENLACE_TASK_PATCH_UNSUPPORTED',
    });
    const removal = await patch(id, 'casa-refugio', 1, [{ op: 'remove', path: '/note' }]).expect(
      422,
    );
    assertOutcome(removal, {
      status: 422,
      issue: 'not-supported',
      code: 'ENLACE_TASK_PATCH_UNSUPPORTED',
    });
    const notArray = await patch(id, 'casa-refugio', 1, { status: 'accepted' }).expect(400);
    assertOutcome(notArray, { status: 400, issue: 'invalid', code: 'ENLACE_TASK_PATCH_INVALID' });
    const unknown = await patch(id, 'casa-refugio', 1, [
      { op: 'replace', path: '/status', value: 'done' },
    ]).expect(400);
    assertOutcome(unknown, { status: 400, issue: 'invalid', code: 'ENLACE_TASK_PATCH_INVALID' });
    const json = await request(network.app)
      .patch(`/fhir/Task/${id}`)
      .set('Authorization', 'Bearer casa-refugio')
      .set('If-Match', 'W/"1"')
      .set('Content-Type', 'application/fhir+json')
      .send('{}')
      .expect(415);
    assertOutcome(json, {
      status: 415,
      issue: 'not-supported',
      code: 'ENLACE_UNSUPPORTED_MEDIA_TYPE',
    });
    const stranger = await patch(id, 'juzgado-familia', 1, [
      { op: 'replace', path: '/status', value: 'accepted' },
    ]).expect(404);
    assertOutcome(stranger, { status: 404, issue: 'not-found', code: 'ENLACE_RESOURCE_NOT_FOUND' });
    assert.deepEqual(await notices(id), []);
  });

  it('lets the sender cancel with a reason and tells the shelter; the content is then withheld', async () => {
    const id = await submit();
    const cancelled = await patch(id, 'police-central', 1, [
      { op: 'replace', path: '/status', value: 'cancelled' },
      { op: 'replace', path: '/statusReason', value: reason('Survivor moved to another city.') },
    ]).expect(200);
    assert.equal((cancelled.body as Task).status, 'cancelled');
    assert.deepEqual(await notices(id), [['casa-refugio', `${id}:task:2`]]);
    const withheld = await request(network.app)
      .get(`/fhir/Bundle/${id}`)
      .set('Authorization', 'Bearer casa-refugio')
      .set('Accept', 'application/jose')
      .expect(409);
    assertOutcome(withheld, {
      status: 409,
      issue: 'business-rule',
      code: 'ENLACE_REFERRAL_WITHDRAWN',
    });
  });

  it('applies a referral-update message through the same checks as PATCH', async () => {
    const id = await submit();
    const task = (
      await request(network.app)
        .get(`/fhir/Task/${id}`)
        .set('Authorization', 'Bearer casa-refugio')
        .expect(200)
    ).body as Task;
    const message = (status: Task['status'], versionId: string): Bundle =>
      taskUpdateMessage(task, status, versionId);
    const result = await network.store.transaction((unit) =>
      applyTaskMessage(unit, network.test.services.vault, {
        message: message('accepted', '1'),
        event: 'referral-update',
        partnerId: 'casa-refugio',
        actor: actorFromPrincipal(network.shelter.principal),
        at: new Date('2025-03-12T12:05:00Z'),
      }),
    );
    assert.equal(result.version, 2);
    assert.deepEqual(await notices(id), [['police-central', `${id}:task:2`]]);
    await assert.rejects(
      network.store.transaction((unit) =>
        applyTaskMessage(unit, network.test.services.vault, {
          message: message('completed', '2'),
          event: 'referral-update',
          partnerId: 'casa-refugio',
          actor: actorFromPrincipal(network.shelter.principal),
          at: new Date('2025-03-12T12:06:00Z'),
        }),
      ),
      (error: { code?: string }) => error.code === 'ENLACE_TASK_REASON_REQUIRED',
    );
  });

  it('searches only the caller’s referrals, pages with an opaque cursor and refuses a tampered one', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) ids.push(await submit());
    const third = await request(network.app)
      .get('/fhir/Task')
      .set('Authorization', 'Bearer juzgado-familia')
      .expect(200);
    assert.equal((third.body as Bundle).entry?.length ?? 0, 0);
    const seen: string[] = [];
    let url: string | undefined =
      '/fhir/Task?owner=Organization/casa-refugio&status=requested&_count=2&_sort=_lastUpdated';
    let pages = 0;
    let cursorUrl = '';
    while (url !== undefined) {
      const res = await request(network.app)
        .get(url)
        .set('Authorization', 'Bearer casa-refugio')
        .expect(200);
      pages += 1;
      const bundle = res.body as Bundle<Task>;
      assert.equal(bundle.type, 'searchset');
      seen.push(...(bundle.entry ?? []).map((entry) => entry.resource?.id ?? ''));
      const next = bundle.link?.find((link) => link.relation === 'next')?.url;
      if (next !== undefined) cursorUrl = next;
      url = next?.replace(/^https:\/\/gateway\.test\.example\/base/, '');
    }
    assert.equal(pages, 3);
    assert.deepEqual([...seen].sort(), [...ids].sort());
    const sender = await request(network.app)
      .get('/fhir/Task?requester=police-central&_count=100')
      .set('Authorization', 'Bearer police-central')
      .expect(200);
    assert.equal((sender.body as Bundle).entry?.length, 5);
    const cursor = new URL(cursorUrl).searchParams.get('_cursor') ?? '';
    const tampered = `${cursor.slice(0, -3)}${cursor.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const bad = await request(network.app)
      .get(
        `/fhir/Task?owner=Organization/casa-refugio&status=requested&_count=2&_sort=_lastUpdated&_cursor=${tampered}`,
      )
      .set('Authorization', 'Bearer casa-refugio')
      .expect(400);
    assertOutcome(bad, { status: 400, issue: 'invalid', code: 'ENLACE_SEARCH_CURSOR_INVALID' });
    const otherFilters = await request(network.app)
      .get(`/fhir/Task?_count=2&_cursor=${cursor}`)
      .set('Authorization', 'Bearer casa-refugio')
      .expect(400);
    assertOutcome(otherFilters, {
      status: 400,
      issue: 'invalid',
      code: 'ENLACE_SEARCH_CURSOR_INVALID',
    });
    const otherPartner = await request(network.app)
      .get(
        `/fhir/Task?owner=Organization/casa-refugio&status=requested&_count=2&_sort=_lastUpdated&_cursor=${cursor}`,
      )
      .set('Authorization', 'Bearer police-central')
      .expect(400);
    assertOutcome(otherPartner, {
      status: 400,
      issue: 'invalid',
      code: 'ENLACE_SEARCH_CURSOR_INVALID',
    });
    const range = await request(network.app)
      .get('/fhir/Task?_lastUpdated=ge2025-03-12T00:00:00Z&_lastUpdated=lt2025-03-13&_count=100')
      .set('Authorization', 'Bearer casa-refugio')
      .expect(200);
    assert.equal((range.body as Bundle).entry?.length, 5);
    const unknownParam = await request(network.app)
      .get('/fhir/Task?subject=x')
      .set('Authorization', 'Bearer casa-refugio')
      .expect(400);
    assertOutcome(unknownParam, {
      status: 400,
      issue: 'invalid',
      code: 'ENLACE_INVALID_PARAMETER',
    });
  });
});
