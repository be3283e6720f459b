import assert from 'node:assert/strict';
import type { Bundle, MessageHeader, Provenance, Task } from '@medplum/fhirtypes';
import { compactDecrypt, importJWK, type CryptoKey } from 'jose';
import request from 'supertest';
import { revokeConsent, verifyDecisionProvenance } from '../../../src/consent/index.js';
import { verifyBundleSignature } from '../../../src/crypto/index.js';
import { submissionRoutes } from '../../../src/http/submission-routes.js';
import { taskRoutes } from '../../../src/http/task-routes.js';
import { assertOutcome } from '../../support/outcome.js';
import {
  CONTACT_PHONE,
  createReferralNetwork,
  type ReferralNetwork,
  type TestPartner,
  submitReferral,
} from './referral-fixtures.js';

const JOSE = 'application/jose';

export const revocation = [
  { op: 'replace', path: '/status', value: 'inactive' },
  {
    op: 'add',
    path: '/extension/-',
    value: {
      url: 'https://enlace.example.org/fhir/StructureDefinition/revocation-reason',
      valueString: 'She withdrew consent in person.',
    },
  },
];

async function submit(
  network: ReferralNetwork,
  survivorId: string,
): Promise<{ id: string; bundle: Bundle }> {
  const { jwe, bundle } = await network.referral(network.police, network.shelter, { survivorId });
  const id = await submitReferral(network.app, network.store, { jwe, bundle }, 'police-central');
  return { id: id, bundle };
}

async function openFor(partner: TestPartner, jwe: string): Promise<Bundle> {
  const { plaintext, protectedHeader } = await compactDecrypt(jwe, partner.encryption.privateKey);
  assert.equal(protectedHeader.kid, partner.encryption.publicJwk.kid);
  assert.equal(protectedHeader.cty, 'application/fhir+json');
  return JSON.parse(new TextDecoder().decode(plaintext)) as Bundle;
}

describe('a shelter retrieves the referral encrypted to itself', function () {
  let network: ReferralNetwork;

  beforeEach(async () => {
    network = await createReferralNetwork({
      routes: (test) => [...submissionRoutes(test.services), ...taskRoutes(test.services)],
    });
  });
  afterEach(() => network.dispose());

  const retrieve = (id: string, as: string, accept = JOSE) =>
    request(network.app)
      .get(`/fhir/Bundle/${id}`)
      .set('Authorization', `Bearer ${as}`)
      .set('Accept', accept);

  it('delivers the signed message and a signed decision Provenance, and marks the Task received', async () => {
    await network.recordConsent('survivor-1');
    const { id, bundle } = await submit(network, 'survivor-1');

    const res = await retrieve(id, 'casa-refugio').expect(200);
    assert.match(String(res.headers['content-type']), /^application\/jose/);
    assert.equal(res.headers['cache-control'], 'no-store');
    const delivered = await openFor(network.shelter, res.text);
    assert.equal(delivered.type, 'collection');
    const message = delivered.entry?.[0]?.resource as Bundle;
    const provenance = delivered.entry?.[1]?.resource as Provenance;
    assert.deepEqual(message, bundle, 'the sender message is delivered unchanged');
    await verifyBundleSignature(
      message,
      async () => {
        const row = await network.store.db
          .selectFrom('partner_key')
          .select('jwk')
          .where('partner_id', '=', 'police-central')
          .executeTakeFirstOrThrow();
        const jwk = JSON.parse(row.jwk ?? '{}') as Record<string, unknown>;
        return { key: (await importJWK(jwk, 'ES256')) as CryptoKey, info: 'police-central' };
      },
      { now: new Date('2025-03-12T12:00:00Z') },
    );
    const gatewayKey = network.test.services.keys.signing.publicJwk;
    assert.equal(await verifyDecisionProvenance(delivered, gatewayKey), true);
    // The Provenance is about the delivered message, and its signature covers that content.
    assert.deepEqual(
      provenance.target.map((target) => target.reference),
      [delivered.entry?.[0]?.fullUrl],
    );
    const altered = structuredClone(delivered);
    const sent = altered.entry?.[0]?.resource as Bundle;
    sent.entry = (sent.entry ?? []).filter(
      (entry) => entry.resource?.resourceType !== 'RiskAssessment',
    );
    assert.equal(await verifyDecisionProvenance(altered, gatewayKey), false);

    const task = await request(network.app)
      .get(`/fhir/Task/${id}`)
      .set('Authorization', 'Bearer casa-refugio')
      .expect(200);
    assert.equal((task.body as Task).status, 'received');
    assert.equal(task.headers.etag, 'W/"2"');
    const notices = await network.store.db
      .selectFrom('delivery')
      .selectAll()
      .where('kind', '=', 'task-update')
      .execute();
    assert.deepEqual(
      notices.map((row) => [row.recipient, row.idempotency_key]),
      [['police-central', `${id}:task:2`]],
    );
    const disclosures = await network.store.db
      .selectFrom('consent_disclosure')
      .selectAll()
      .execute();
    assert.ok(disclosures.some((row) => row.recipient === 'casa-refugio'));

    // A second retrieval delivers again but does not move the Task a second time.
    await retrieve(id, 'casa-refugio').expect(200);
    const again = await request(network.app)
      .get(`/fhir/Task/${id}`)
      .set('Authorization', 'Bearer casa-refugio')
      .expect(200);
    assert.equal(again.headers.etag, 'W/"2"');
  });

  it("is retrieved by the Task's id, which the acknowledgement names, not by the message's own identifier", async () => {
    await network.recordConsent('survivor-ids');
    const { jwe, bundle } = await network.referral(network.police, network.shelter, {
      survivorId: 'survivor-ids',
    });
    const acknowledged = await request(network.app)
      .post('/fhir/$process-message')
      .set('Authorization', 'Bearer police-central')
      .set('Content-Type', 'application/jose')
      .send(jwe)
      .expect(200);
    const header = (acknowledged.body as Bundle).entry?.[0]?.resource as MessageHeader;
    const focus = header.focus?.[0]?.reference ?? '';
    assert.match(focus, /^Task\/[A-Za-z0-9\-.]{1,64}$/);
    const taskId = focus.slice('Task/'.length);
    const task = await request(network.app)
      .get(`/fhir/Task?owner=Organization/casa-refugio&status=requested`)
      .set('Authorization', 'Bearer casa-refugio')
      .expect(200);
    assert.deepEqual(
      (task.body as Bundle<Task>).entry?.map((entry) => entry.resource?.id),
      [taskId],
      'the Task the shelter finds has the id the acknowledgement names',
    );
    await retrieve(taskId, 'casa-refugio').expect(200);
    const byIdentifier = await retrieve(bundle.identifier?.value ?? '', 'casa-refugio');
    assertOutcome(byIdentifier, {
      status: 404,
      issue: 'not-found',
      code: 'ENLACE_RESOURCE_NOT_FOUND',
    });
  });

  it('answers 404 to a third institution and to the sender, alike for an unknown id', async () => {
    await network.recordConsent('survivor-2');
    const { id } = await submit(network, 'survivor-2');
    const third = await retrieve(id, 'juzgado-familia').expect(404);
    assertOutcome(third, { status: 404, issue: 'not-found', code: 'ENLACE_RESOURCE_NOT_FOUND' });
    await retrieve(id, 'police-central').expect(404);
    const unknown = await retrieve('no-such-referral', 'casa-refugio').expect(404);
    assertOutcome(unknown, { status: 404, issue: 'not-found', code: 'ENLACE_RESOURCE_NOT_FOUND' });
    const task = await request(network.app)
      .get(`/fhir/Task/${id}`)
      .set('Authorization', 'Bearer juzgado-familia')
      .expect(404);
    assertOutcome(task, { status: 404, issue: 'not-found', code: 'ENLACE_RESOURCE_NOT_FOUND' });
  });

  it('refuses with 406 unless application/jose is asked for by name', async () => {
    await network.recordConsent('survivor-3');
    const { id } = await submit(network, 'survivor-3');
    const json = await retrieve(id, 'casa-refugio', 'application/fhir+json').expect(406);
    assertOutcome(json, { status: 406, issue: 'not-supported', code: 'ENLACE_NOT_ACCEPTABLE' });
    const any = await retrieve(id, 'casa-refugio', '*/*').expect(406);
    assertOutcome(any, { status: 406, issue: 'not-supported', code: 'ENLACE_NOT_ACCEPTABLE' });
    const task = await request(network.app)
      .get(`/fhir/Task/${id}`)
      .set('Authorization', 'Bearer casa-refugio')
      .expect(200);
    assert.equal(
      (task.body as Task).status,
      'requested',
      'nothing was released, so nothing was received',
    );
  });

  it('answers 403 and releases nothing when her consent no longer permits', async () => {
    await network.recordConsent('survivor-4');
    const { id } = await submit(network, 'survivor-4');
    const consent = await network.store.db
      .selectFrom('consent')
      .select(['id'])
      .executeTakeFirstOrThrow();
    await revokeConsent(
      { id: consent.id, patch: revocation, ifMatch: undefined },
      { principal: network.police.principal },
      {
        store: network.store,
        clock: network.test.services.clock,
        ...network.test.services.consent,
      },
    );
    const before = await network.store.audit.count();
    const disclosed = await network.store.db.selectFrom('consent_disclosure').selectAll().execute();
    const res = await retrieve(id, 'casa-refugio').expect(403);
    assertOutcome(res, { status: 403, issue: 'forbidden', code: 'ENLACE_CONSENT_DENIED' });
    assert.doesNotMatch(res.text, new RegExp(CONTACT_PHONE.replace(/\+/g, '\\+')));
    const records = await network.store.audit.list({ afterSeq: before });
    assert.equal(records.length, 1, 'only the refusal decision is recorded');
    assert.equal(records[0]?.event.outcome, '4');
    const disclosures = await network.store.db
      .selectFrom('consent_disclosure')
      .selectAll()
      .execute();
    assert.equal(disclosures.length, disclosed.length, 'no disclosure recorded');
    const row = await network.store.db
      .selectFrom('referral')
      .select(['status', 'task_version'])
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'requested', task_version: 1 });
  });

  it('refuses with 409 when the recipient registered no encryption key', async () => {
    await network.recordConsent('survivor-5');
    const { id } = await submit(network, 'survivor-5');
    await network.store.db
      .deleteFrom('partner_encryption_key')
      .where('partner_id', '=', 'casa-refugio')
      .execute();
    const res = await retrieve(id, 'casa-refugio').expect(409);
    assertOutcome(res, {
      status: 409,
      issue: 'business-rule',
      code: 'ENLACE_RECIPIENT_KEY_MISSING',
    });
  });
});
