import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Bundle, MessageHeader } from '@medplum/fhirtypes';
import request from 'supertest';
import { buildAcknowledgement } from '../../../src/referrals/submission/index.js';
import { assertOutcome } from '../../support/outcome.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';
import {
  buildReferralBundle,
  createReferralNetwork,
  encryptMessage,
  signReferral,
  type ReferralNetwork,
  type TestPartner,
} from './referral-fixtures.js';

for (const engine of testEngines()) {
  describe(`a recipient's acknowledgement answers the request's MessageHeader.id (${engine.name})`, function () {
    let database: TestDatabase;
    let network: ReferralNetwork;

    beforeEach(async () => {
      database = await engine.create();
      network = await createReferralNetwork({ env: database.env });
    });
    afterEach(async () => {
      await network.dispose();
      await database.drop();
    });

    const submit = (jwe: string, caller: string) =>
      request(network.app)
        .post('/fhir/$process-message')
        .set('Authorization', `Bearer ${caller}`)
        .set('Content-Type', 'application/jose')
        .send(jwe);

    /** A referral from the police to the shelter: its Task id and its request's header id. */
    async function refer(): Promise<{ readonly task: string; readonly headerId: string }> {
      const survivorId = `ack-${randomUUID()}`;
      await network.recordConsent(survivorId);
      const { jwe, bundle } = await network.referral(network.police, network.shelter, {
        survivorId,
      });
      const ack = JSON.parse((await submit(jwe, 'police-central').expect(200)).text) as Bundle;
      const focus = (ack.entry?.[0]?.resource as MessageHeader).focus?.[0]?.reference ?? '';
      const headerId = (bundle.entry?.[0]?.resource as MessageHeader).id ?? '';
      return { task: focus, headerId };
    }

    /** The recipient's own signed acknowledgement message, as `from` would send it. */
    async function acknowledgement(
      from: TestPartner,
      header: { readonly respondsTo?: string; readonly focus?: string | null },
    ): Promise<string> {
      const receipt = buildAcknowledgement({
        respondsTo: header.respondsTo ?? '',
        to: 'police-central',
        toEndpoint: 'https://police-central.example.org/fhir',
        focus: header.focus ?? 'Task/unused',
        publicUrl: `https://${from.id}.example.org`,
        at: new Date('2025-03-12T12:00:00Z'),
      });
      const message = receipt.entry?.[0]?.resource as MessageHeader;
      message.sender = { reference: `Organization/${from.id}` };
      if (header.focus === null) delete message.focus;
      if (header.respondsTo === undefined && message.response !== undefined) {
        delete (message.response as { identifier?: string }).identifier;
      }
      return encryptMessage(await signReferral(receipt, from), network.gatewayKey);
    }

    const storedAcknowledgement = async (task: string) =>
      (
        await network.store.db
          .selectFrom('referral')
          .select('recipient_acknowledgement')
          .where('id', '=', task.slice('Task/'.length))
          .executeTakeFirstOrThrow()
      ).recipient_acknowledgement;

    it('finds the referral by response.identifier alone, as FHIR Messaging specifies', async () => {
      const { task, headerId } = await refer();
      const res = await submit(
        await acknowledgement(network.shelter, { respondsTo: headerId, focus: null }),
        'casa-refugio',
      );
      assert.equal(res.status, 200, res.text);
      const answer = JSON.parse(res.text) as Bundle;
      assert.equal((answer.entry?.[0]?.resource as MessageHeader).focus?.[0]?.reference, task);
      assert.notEqual(await storedAcknowledgement(task), null);
    });

    it('accepts a focus that names the same referral', async () => {
      const { task, headerId } = await refer();
      const res = await submit(
        await acknowledgement(network.shelter, { respondsTo: headerId, focus: task }),
        'casa-refugio',
      );
      assert.equal(res.status, 200, res.text);
      assert.notEqual(await storedAcknowledgement(task), null);
    });

    it('refuses a focus alone: a response.identifier that answers no request is 404', async () => {
      const { task } = await refer();
      const res = await submit(
        await acknowledgement(network.shelter, { respondsTo: randomUUID(), focus: task }),
        'casa-refugio',
      );
      assert.deepEqual(
        assertOutcome(res, {
          status: 404,
          issue: 'not-found',
          code: 'ENLACE_RESOURCE_NOT_FOUND',
        }).issue[0]?.expression,
        ['Bundle.entry[0].resource.response.identifier'],
      );
      assert.match(res.text, /MessageHeader\.id of a referral request sent to your institution/);
      assert.equal(await storedAcknowledgement(task), null, 'nothing was stored');
    });

    it('refuses a focus naming another referral than the one response.identifier answers', async () => {
      const first = await refer();
      const second = await refer();
      const res = await submit(
        await acknowledgement(network.shelter, { respondsTo: first.headerId, focus: second.task }),
        'casa-refugio',
      );
      assert.deepEqual(
        assertOutcome(res, {
          status: 400,
          issue: 'invalid',
          code: 'ENLACE_MESSAGE_INVALID',
        }).issue[0]?.expression,
        ['Bundle.entry[0].resource.focus'],
      );
      assert.equal(await storedAcknowledgement(first.task), null);
      assert.equal(await storedAcknowledgement(second.task), null);
    });

    it('refuses an acknowledgement without response.identifier with an OperationOutcome', async () => {
      const { task } = await refer();
      const res = await submit(
        await acknowledgement(network.shelter, { focus: task }),
        'casa-refugio',
      );
      // R4 makes response.identifier 1..1, so the profile check refuses it before any lookup.
      assert.deepEqual(
        assertOutcome(res, { status: 422, issue: 'required', code: 'ENLACE_PROFILE_INVALID' })
          .issue[0]?.expression,
        ['Bundle.entry[0].resource.response.identifier'],
      );
      assert.equal(await storedAcknowledgement(task), null);
    });

    it('asks for the focus when two requests to the institution shared a MessageHeader.id', async () => {
      const shared = randomUUID();
      const tasks: string[] = [];
      for (const survivorId of [`dup-${randomUUID()}`, `dup-${randomUUID()}`]) {
        await network.recordConsent(survivorId);
        const bundle = buildReferralBundle({
          sender: 'police-central',
          recipient: 'casa-refugio',
          survivorId,
        });
        (bundle.entry?.[0]?.resource as MessageHeader).id = shared;
        const signed = await signReferral(bundle, network.police);
        const jwe = await encryptMessage(signed, network.gatewayKey);
        const ack = JSON.parse((await submit(jwe, 'police-central').expect(200)).text) as Bundle;
        tasks.push((ack.entry?.[0]?.resource as MessageHeader).focus?.[0]?.reference ?? '');
      }
      const ambiguous = await submit(
        await acknowledgement(network.shelter, { respondsTo: shared, focus: null }),
        'casa-refugio',
      );
      assert.deepEqual(
        assertOutcome(ambiguous, { status: 400, issue: 'invalid', code: 'ENLACE_MESSAGE_INVALID' })
          .issue[0]?.expression,
        ['Bundle.entry[0].resource.focus'],
      );
      const second = tasks[1] ?? '';
      const named = await submit(
        await acknowledgement(network.shelter, { respondsTo: shared, focus: second }),
        'casa-refugio',
      );
      assert.equal(named.status, 200, named.text);
      assert.notEqual(await storedAcknowledgement(second), null);
      assert.equal(await storedAcknowledgement(tasks[0] ?? ''), null);
    });

    it("answers a request whose header has no id by the UUID of the header's urn:uuid fullUrl", async () => {
      const survivorId = `noid-${randomUUID()}`;
      await network.recordConsent(survivorId);
      const bundle = buildReferralBundle({
        sender: 'police-central',
        recipient: 'casa-refugio',
        survivorId,
      });
      const first = bundle.entry?.[0];
      assert.ok(first?.resource?.resourceType === 'MessageHeader');
      delete first.resource.id;
      const jwe = await encryptMessage(
        await signReferral(bundle, network.police),
        network.gatewayKey,
      );
      const ack = JSON.parse((await submit(jwe, 'police-central').expect(200)).text) as Bundle;
      const task = (ack.entry?.[0]?.resource as MessageHeader).focus?.[0]?.reference ?? '';
      const uuid = (first.fullUrl ?? '').slice('urn:uuid:'.length);
      const res = await submit(
        await acknowledgement(network.shelter, { respondsTo: uuid, focus: null }),
        'casa-refugio',
      );
      assert.equal(res.status, 200, res.text);
      assert.notEqual(await storedAcknowledgement(task), null);
    });

    it('answers another institution the same 404, even with the right identifiers', async () => {
      const { task, headerId } = await refer();
      const res = await submit(
        await acknowledgement(network.court, { respondsTo: headerId, focus: task }),
        'juzgado-familia',
      );
      assert.deepEqual(
        assertOutcome(res, {
          status: 404,
          issue: 'not-found',
          code: 'ENLACE_RESOURCE_NOT_FOUND',
        }).issue[0]?.expression,
        ['Bundle.entry[0].resource.response.identifier'],
      );
      assert.equal(await storedAcknowledgement(task), null);
    });
  });
}
