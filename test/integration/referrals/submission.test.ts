import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Bundle, MessageHeader } from '@medplum/fhirtypes';
import { importJWK } from 'jose';
import request from 'supertest';
import { verifyBundleSignature } from '../../../src/crypto/index.js';
import {
  openRecipientAcknowledgement,
  openTask,
  toReferralRecord,
} from '../../../src/referrals/referral-repository.js';
import { PROFILE_URLS } from '../../../src/profiles/index.js';
import { createReferralNetwork, CONTACT_PHONE, type ReferralNetwork } from './referral-fixtures.js';
import { auditSince, countRows } from './submission-counts.js';

const submit = (net: ReferralNetwork, jwe: string, caller = 'police-central') =>
  request(net.app)
    .post('/fhir/$process-message')
    .set('Authorization', `Bearer ${caller}`)
    .set('Content-Type', 'application/jose')
    .send(jwe);

async function verifyWithGatewayKey(net: ReferralNetwork, ack: Bundle): Promise<void> {
  const signing = net.test.services.keys.signing;
  const key = await importJWK(signing.publicJwk, signing.alg);
  if (key instanceof Uint8Array) throw new Error('unexpected symmetric key');
  await verifyBundleSignature(ack, () => Promise.resolve({ key, info: signing.kid }), {
    now: new Date(),
  });
}

describe('submitting a referral to $process-message', () => {
  let net: ReferralNetwork;
  let survivor: string;

  beforeEach(async () => {
    net = await createReferralNetwork();
    survivor = `S-${randomUUID()}`;
    await net.recordConsent(survivor);
  });
  afterEach(() => net.dispose());

  it('accepts a signed, encrypted referral and answers an acknowledgement signed by the gateway', async () => {
    const { jwe, bundle } = await net.referral(net.police, net.shelter, { survivorId: survivor });
    const res = await submit(net, jwe).expect(200);
    const ack = JSON.parse(res.text) as Bundle;
    assert.equal(ack.type, 'message');
    const header = ack.entry?.[0]?.resource as MessageHeader;
    assert.equal(header.eventCoding?.code, 'acknowledgement');
    assert.equal(header.response?.code, 'ok');
    assert.equal(header.response.identifier, (bundle.entry?.[0]?.resource as MessageHeader).id);
    assert.match(header.focus?.[0]?.reference ?? '', /^Task\/[0-9a-f-]{36}$/);
    // One identity for the gateway: the sender of its acknowledgements is also their signer.
    assert.equal(header.sender?.reference, 'Organization/enlace-gateway');
    assert.equal(ack.signature?.who.reference, 'Organization/enlace-gateway');
    await verifyWithGatewayKey(net, ack);
    assert.deepEqual(
      net.test.services.profiles
        .validate(ack, PROFILE_URLS.referralMessage)
        .filter((issue) => issue.severity === 'error'),
      [],
    );
  });

  it('stores the referral sealed, its Task requested, one outbox entry and the audit', async () => {
    const before = await countRows(net.store);
    const { jwe, bundle } = await net.referral(net.police, net.shelter, { survivorId: survivor });
    const ack = JSON.parse((await submit(net, jwe).expect(200)).text) as Bundle;
    const id = ((ack.entry?.[0]?.resource as MessageHeader).focus?.[0]?.reference ?? '').slice(5);
    const row = await net.store.db
      .selectFrom('referral')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.sender, 'police-central');
    assert.equal(row.recipient, 'casa-refugio');
    assert.equal(row.status, 'requested');
    assert.equal(row.purpose, 'shelter');
    assert.deepEqual(JSON.parse(row.data_classes), ['contact-details', 'risk-assessment']);
    // Why: the phone number (and her identifier) exist only inside the sealed payload.
    for (const column of Object.values(row)) {
      assert.ok(!String(column).includes(CONTACT_PHONE), 'no column holds the contact phone');
      assert.ok(!String(column).includes(survivor), 'no column holds her identifier');
    }
    const opened = JSON.parse(
      new TextDecoder().decode(await net.test.services.vault.open(row.payload, id)),
    ) as Bundle;
    assert.deepEqual(opened, bundle);
    // The Task is sealed too: partners write free text into it later.
    assert.ok(!row.task.includes('"resourceType"'), 'the task column is not plain JSON');
    const task = await openTask(net.test.services.vault, toReferralRecord(row));
    assert.equal(task.id, id);
    assert.equal(task.status, 'requested');
    assert.equal(task.meta?.versionId, '1');
    assert.equal(task.businessStatus?.coding?.[0]?.code, 'requested');
    assert.equal(task.owner?.reference, 'Organization/casa-refugio');
    const delivery = await net.store.db
      .selectFrom('delivery')
      .selectAll()
      .where('referral_id', '=', id)
      .execute();
    assert.equal(delivery.length, 1);
    assert.equal(delivery[0]?.kind, 'referral');
    assert.equal(delivery[0].recipient, 'casa-refugio');
    assert.equal(delivery[0].idempotency_key, `${id}:referral`);
    const after = await countRows(net.store);
    assert.equal(after.referral, before.referral + 1);
    assert.equal(after.disclosure, before.disclosure + 1);
    const events = await auditSince(net.store, before.audit);
    const accepted = events.find((event) => event.subtype?.[0]?.code === 'operation');
    assert.equal(accepted?.outcome, '0');
    assert.equal(accepted.type.code, 'rest');
    assert.equal(accepted.agent[0]?.who?.reference, 'Organization/police-central');
    assert.ok(accepted.entity?.some((entity) => entity.what?.reference === `Task/${id}`));
    assert.ok(JSON.stringify(events).includes(row.pseudonym), 'the audit names her pseudonym');
    assert.ok(!JSON.stringify(events).includes(survivor), 'and never her identifier');
  });

  it('answers an identical resubmission with the same acknowledgement and writes nothing', async () => {
    const { jwe } = await net.referral(net.police, net.shelter, { survivorId: survivor });
    const first = await submit(net, jwe).expect(200);
    const before = await countRows(net.store);
    const again = await submit(net, jwe).expect(200);
    assert.equal(again.text, first.text);
    assert.deepEqual(await countRows(net.store), before);
  });

  it('creates one referral when identical submissions race', async () => {
    const { jwe } = await net.referral(net.police, net.shelter, { survivorId: survivor });
    const answers = await Promise.all([submit(net, jwe), submit(net, jwe), submit(net, jwe)]);
    assert.deepEqual(
      answers.map((res) => res.status),
      [200, 200, 200],
    );
    assert.equal(new Set(answers.map((res) => res.text)).size, 1);
    assert.equal((await countRows(net.store)).referral, 1);
  });

  it("forwards the recipient's own signed acknowledgement to the sender", async () => {
    const { jwe, bundle } = await net.referral(net.police, net.shelter, { survivorId: survivor });
    const ack = JSON.parse((await submit(net, jwe).expect(200)).text) as Bundle;
    const focus = (ack.entry?.[0]?.resource as MessageHeader).focus?.[0]?.reference ?? '';
    const { signReferral, encryptMessage } = await import('./referral-fixtures.js');
    const { buildAcknowledgement } = await import('../../../src/referrals/submission/index.js');
    const receipt = buildAcknowledgement({
      // FHIR Messaging: a response names the MessageHeader.id of the message it answers.
      respondsTo: (bundle.entry?.[0]?.resource as MessageHeader).id ?? '',
      to: 'police-central',
      toEndpoint: 'https://police-central.example.org/fhir',
      focus,
      publicUrl: 'https://casa-refugio.example.org',
      at: new Date(),
    });
    const header = receipt.entry?.[0]?.resource as MessageHeader;
    header.sender = { reference: 'Organization/casa-refugio' };
    const signed = await signReferral(receipt, net.shelter);
    const res = await submit(net, await encryptMessage(signed, net.gatewayKey), 'casa-refugio');
    assert.equal(res.status, 200, res.text);
    const row = await net.store.db
      .selectFrom('referral')
      .selectAll()
      .where('id', '=', focus.slice(5))
      .executeTakeFirstOrThrow();
    // Kept sealed (its message may carry her data), and opened exactly as it was signed.
    assert.ok(!(row.recipient_acknowledgement ?? '').includes('MessageHeader'));
    assert.deepEqual(
      await openRecipientAcknowledgement(net.test.services.vault, toReferralRecord(row)),
      signed,
    );
    const deliveries = await net.store.db
      .selectFrom('delivery')
      .selectAll()
      .where('kind', '=', 'acknowledgement')
      .execute();
    assert.deepEqual(
      deliveries.map((delivery) => delivery.recipient),
      ['police-central'],
    );
  });

  it('lists $process-message in the CapabilityStatement', async () => {
    const res = await request(net.app).get('/fhir/metadata').expect(200);
    assert.match(res.text, /MessageHeader-process-message/);
  });
});
