// The sender holds the recipient's signed acknowledgement, pushed and pulled, and can verify the recipient's signature itself.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AuditEvent, Bundle, MessageHeader } from '@medplum/fhirtypes';
import request from 'supertest';
import { verifyBundleSignature } from '../../../src/crypto/index.js';
import { runDeliveryPass } from '../../../src/referrals/index.js';
import { buildAcknowledgement } from '../../../src/referrals/submission/index.js';
import { assertOutcome } from '../../support/outcome.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';
import {
  createReferralNetwork,
  encryptMessage,
  signReferral,
  submitReferral,
  type ReferralNetwork,
} from './referral-fixtures.js';
import {
  contentOf,
  headerOf,
  noticeProblems,
  openPushedNotice,
  publicKeyOf,
  sequenceOf,
  setPushEndpoint,
  startPushReceiver,
  verifyNotice,
  workerOf,
  type PushReceiver,
} from './notice-helpers.js';

const NOT_FOUND = { status: 404, issue: 'not-found', code: 'ENLACE_RESOURCE_NOT_FOUND' } as const;

for (const engine of testEngines()) {
  describe(`the sender's proof of receipt (${engine.name})`, function () {
    let database: TestDatabase;
    let net: ReferralNetwork;
    let receiver: PushReceiver;
    let referralId: string;
    let receipt: Bundle;

    /** The shelter's own acknowledgement of the referral, signed with its key, as it submits it. */
    async function acknowledge(request_: Bundle): Promise<Bundle> {
      const signed = await signReferral(
        (() => {
          const message = buildAcknowledgement({
            respondsTo: (request_.entry?.[0]?.resource as MessageHeader).id ?? '',
            to: net.police.id,
            toEndpoint: 'https://police-central.example.org/fhir',
            focus: `Task/${referralId}`,
            publicUrl: 'https://casa-refugio.example.org',
            at: new Date(),
          });
          (message.entry?.[0]?.resource as MessageHeader).sender = {
            reference: `Organization/${net.shelter.id}`,
          };
          return message;
        })(),
        net.shelter,
      );
      const res = await request(net.app)
        .post('/fhir/$process-message')
        .set('Authorization', `Bearer ${net.shelter.id}`)
        .set('Content-Type', 'application/jose')
        .send(await encryptMessage(signed, net.gatewayKey));
      assert.equal(res.status, 200, res.text);
      return signed;
    }

    const readReceipt = (bearer: string, id = referralId) =>
      request(net.app)
        .get(`/fhir/Task/${id}/$acknowledgement`)
        .set('Authorization', `Bearer ${bearer}`);

    /** Verifies the shelter's signature with its public key, as the station would. */
    async function verifyShelterSignature(bundle: Bundle): Promise<void> {
      const key = await publicKeyOf(net.shelter.signer.privateKey, net.shelter.signer.alg);
      const verified = await verifyBundleSignature(
        bundle,
        () => Promise.resolve({ key, info: 'casa-refugio' }),
        { now: new Date() },
      );
      assert.equal(verified.who.reference, `Organization/${net.shelter.id}`);
    }

    before(async () => {
      database = await engine.create();
      net = await createReferralNetwork({ env: database.env });
      receiver = await startPushReceiver();
      const survivor = `S-${randomUUID()}`;
      await net.recordConsent(survivor);
      const message = await net.referral(net.police, net.shelter, { survivorId: survivor });
      referralId = await submitReferral(net.app, net.store, message, net.police.id);
      assertOutcome(await readReceipt(net.police.id), NOT_FOUND);
      receipt = await acknowledge(message.bundle);
    });
    after(async () => {
      await receiver.stop();
      await net.dispose();
      await database.drop();
    });

    it('serves the sender the message the recipient signed, verifiable with the recipient key', async () => {
      const res = await readReceipt(net.police.id).expect(200);
      assert.equal(res.headers['cache-control'], 'no-store');
      const served = res.body as Bundle;
      assert.deepEqual(served, receipt, 'exactly as the recipient signed it');
      await verifyShelterSignature(served);
      const header = served.entry?.[0]?.resource as MessageHeader;
      assert.equal(header.response?.code, 'ok');
      assert.equal(header.focus?.[0]?.reference, `Task/${referralId}`);
      const audit = (await net.store.audit.list()).map((record) => record.event);
      const read = audit.filter(
        (event: AuditEvent) =>
          event.action === 'R' &&
          event.entity?.some((entity) => entity.description === "the recipient's acknowledgement"),
      );
      assert.ok(read.some((event) => event.outcome === '0'));
      assert.ok(
        read.some((event) => event.outcome === '4'),
        'the early 404 was recorded too',
      );
    });

    it('serves it to nobody else: the recipient and a third institution get 404', async () => {
      const other = assertOutcome(await readReceipt(net.court.id), NOT_FOUND);
      const recipient = assertOutcome(await readReceipt(net.shelter.id), NOT_FOUND);
      const unknown = assertOutcome(await readReceipt(net.court.id, randomUUID()), NOT_FOUND);
      const text = (outcome: typeof other) =>
        outcome.issue[0]?.details?.text ?? outcome.issue[0]?.diagnostics;
      assert.equal(
        text(other)?.replace(referralId, '<id>'),
        text(recipient)?.replace(referralId, '<id>'),
      );
      assert.match(text(unknown) ?? '', /is visible to you/);
    });

    it('pushes it to the sender inside a gateway-signed notice, the recipient signature intact', async () => {
      await setPushEndpoint(net.test, net.police.id, receiver.url);
      await runDeliveryPass(workerOf(net.test, receiver), net.test.services.clock());
      const pushed = receiver.pushed.find(
        (candidate) => candidate.headers['enlace-delivery-kind'] === 'acknowledgement',
      );
      assert.equal(pushed?.headers['content-type'], 'application/jose');
      const notice = await openPushedNotice(net.test, pushed, net.police.encryption.privateKey);
      assert.equal(headerOf(notice).eventCoding?.code, 'acknowledgement');
      assert.deepEqual(noticeProblems(notice), [], 'a valid FHIR R4 message');
      assert.equal(
        headerOf(notice).destination?.[0]?.receiver?.reference,
        `Organization/${net.police.id}`,
      );
      assert.deepEqual(sequenceOf(notice), [`Task/${referralId}`, 1]);
      const forwarded = contentOf(notice, 'Bundle');
      assert.deepEqual(forwarded, receipt);
      await verifyShelterSignature(forwarded);
    });

    it('keeps it out of the sender inbox once the push was answered 2xx', async () => {
      const res = await request(net.app)
        .get('/fhir/$notices')
        .set('Authorization', `Bearer ${net.police.id}`)
        .expect(200);
      const inbox = res.body as Bundle;
      const kinds = (inbox.entry ?? []).map(
        (entry) => headerOf(entry.resource as Bundle).eventCoding?.code,
      );
      assert.ok(!kinds.includes('acknowledgement'), 'a pushed notice is not pulled again');
      for (const entry of inbox.entry ?? []) await verifyNotice(net.test, entry.resource as Bundle);
    });
  });
}
