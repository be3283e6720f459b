// The whole loop with the SDK only, against a real gateway on 127.0.0.1: consent, a referral from police to
// shelter (JWKS key) and back (certificate chain), push and pull, the Task workflow, revocation, and typed errors.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import {
  connect,
  EnlaceError,
  EnlaceOAuthError,
  EnlaceVerificationError,
  type EnlaceClient,
  type PushedDelivery,
  type RecordedConsent,
  type ReferralInput,
} from '../../../src/sdk/index.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';
import { createSdkNetwork, until, type Pushed, type SdkNetwork } from './sdk-network.js';

const CEDULA = 'https://registro.example.org/fhir/NamingSystem/cedula';

/** The input without her contact details (no RelatedPerson in the message). */
const withoutContact = (value: ReferralInput): ReferralInput => {
  const copy: { -readonly [K in keyof ReferralInput]: ReferralInput[K] } = { ...value };
  delete copy.contact;
  return copy;
};

/** The messages of an error and its causes, where the precise reason is kept. */
const reasons = (error: unknown): string =>
  error instanceof Error ? `${error.message} <- ${reasons(error.cause)}` : '';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

for (const engine of testEngines()) {
  describe(`the SDK closes the referral loop against a gateway (${engine.name})`, function () {
    this.timeout(120_000);
    let database: TestDatabase;
    let network: SdkNetwork;
    let police: EnlaceClient;
    let shelter: EnlaceClient;
    const survivor = { system: CEDULA, value: '4.512.337-1' };
    let consentReference: string;
    let recorded: RecordedConsent;
    let taskId: string;
    let fromShelter: string;

    const referral = (overrides: Partial<ReferralInput> = {}): ReferralInput => ({
      to: 'refugio-esperanza',
      survivor,
      consent: consentReference,
      purpose: 'shelter',
      risk: 'high',
      services: ['shelter', 'psychological-support'],
      violence: ['physical'],
      summary: 'Needs a safe place tonight with her two children.',
      contact: { name: 'Ana', phone: '+598 99 123 456' },
      ...overrides,
    });

    const pushed = (kind: string, after = 0): Promise<Pushed> =>
      until(`a ${kind} push`, () =>
        network.pushes.slice(after).find((push) => push.headers['enlace-delivery-kind'] === kind),
      );

    before(async () => {
      database = await engine.create();
      network = await createSdkNetwork(database);
      police = await connect({ profile: network.police.profile });
      shelter = await connect({ profile: network.shelter.profile });
    });

    after(async () => {
      await network.dispose();
      await database.drop();
    });

    it('obtains tokens with private_key_jwt, by a registered kid and by an x5c chain', () => {
      assert.equal(police.organization, 'comisaria-norte');
      assert.equal(police.role, 'police');
      assert.equal(shelter.organization, 'refugio-esperanza');
      assert.equal(shelter.role, 'shelter');
    });

    it('records her consent and evaluates it before sending', async () => {
      const consent = await police.consent.record({
        survivor,
        actor: { role: 'shelter' },
        purposes: ['shelter'],
        dataClasses: ['contact-details', 'location', 'risk-assessment'],
      });
      assert.match(consent.reference, /^Consent\/[\w.-]+\/_history\/1$/);
      consentReference = consent.reference;
      recorded = consent;
      const evaluation = await police.consent.evaluate({
        survivor,
        purpose: 'shelter',
        actor: 'refugio-esperanza',
        dataClasses: ['contact-details', 'risk-assessment'],
      });
      assert.equal(evaluation.decision, 'permit');
      assert.deepEqual([...evaluation.permitted].sort(), ['contact-details', 'risk-assessment']);
      assert.deepEqual(evaluation.reliedOn, [consent.reference]);
    });

    it('sends a referral and verifies the gateway’s signed acknowledgement', async () => {
      const sent = await police.referrals.send(referral());
      taskId = sent.taskId;
      assert.match(taskId, /^[0-9a-f-]{36}$/);
      assert.equal(sent.message.signature?.who.reference, 'Organization/comisaria-norte');
      assert.equal(sent.acknowledgement.signature?.who.reference, 'Organization/enlace-gateway');
    });

    it('receives the referral by push and verifies it, sender signature and consent decision', async () => {
      const push = await pushed('referral');
      const delivery: PushedDelivery = await shelter.verifyPush(push);
      assert.ok(delivery.kind === 'referral');
      assert.equal(delivery.taskId, taskId);
      assert.deepEqual(delivery.referral.senderKey, {
        kind: 'registered-key',
        kid: 'comisaria-norte-sig-1',
      });
      assert.equal(delivery.referral.content.summary, referral().summary);
      assert.equal(delivery.referral.redacted, false);
      assert.deepEqual(delivery.referral.reliedOn, [consentReference]);
    });

    it('finds it in the inbox, opens it verified and closes the loop with If-Match', async () => {
      const inbox = await collect(shelter.referrals.inbox({ status: ['requested', 'received'] }));
      assert.deepEqual(
        inbox.map((task) => task.id),
        [taskId],
      );
      const opened = await shelter.referrals.open(taskId);
      assert.equal(opened.task.status, 'received', 'the first retrieval marks it received');
      assert.deepEqual(opened.content.survivor, [survivor]);
      assert.equal(opened.content.sender, 'comisaria-norte');
      assert.equal(opened.content.risk, 'high');
      assert.deepEqual(opened.content.services, ['shelter', 'psychological-support']);
      assert.deepEqual(opened.content.violence, ['physical']);
      assert.deepEqual(opened.content.contact, { name: 'Ana', phone: '+598 99 123 456' });
      assert.equal(opened.content.consent, consentReference);
      const accepted = await shelter.tasks.accept(opened.task, 'A place is ready.');
      const started = await shelter.tasks.start(accepted);
      const completed = await shelter.tasks.complete(
        started,
        'Placed in a shelter with her children.',
      );
      assert.equal(completed.status, 'completed');
      const seen = await police.tasks.read(taskId);
      assert.equal(seen.status, 'completed');
      assert.equal(seen.output?.[0]?.valueString, 'Placed in a shelter with her children.');
    });

    it('answers a stale If-Match with a typed EnlaceError carrying the OperationOutcome', async () => {
      const stale = { id: taskId, version: '2' };
      const error = await shelter.tasks.reject(stale, 'duplicate').then(
        () => assert.fail('a stale version was accepted'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof EnlaceError, String(error));
      assert.equal(error.status, 412);
      assert.equal(error.code, 'ENLACE_TASK_VERSION_MISMATCH');
      assert.equal(error.outcome.resourceType, 'OperationOutcome');
      assert.equal(error.outcome.issue[0]?.code, 'conflict');
      assert.match(error.message, /^412 ENLACE_TASK_VERSION_MISMATCH: /);
      assert.match(error.requestId ?? '', /\S/);
    });

    it('pulls the station’s notices of each step, verified, and acknowledges them', async () => {
      let pending = await collect(police.notices.pending());
      for (let tries = 0; pending.length < 4 && tries < 50; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        pending = await collect(police.notices.pending());
      }
      const steps = pending
        .filter((notice) => notice.kind === 'task-update' && notice.referral?.taskId === taskId)
        .map((notice) => {
          const task = notice.content.resourceType === 'Task' ? notice.content : undefined;
          return `${notice.referral?.sequence ?? 0}:${task?.status ?? ''}`;
        });
      assert.deepEqual(steps, ['1:received', '2:accepted', '3:in-progress', '4:completed']);
      await police.notices.acknowledge(pending.map((notice) => notice.id));
      assert.deepEqual(await collect(police.notices.pending()), []);
    });

    it('retries safely: the same prepared message again answers the original acknowledgement', async () => {
      const prepared = await police.referrals.prepare(referral());
      const first = await police.referrals.submit(prepared);
      const again = await police.referrals.submit(prepared);
      assert.equal(again.taskId, first.taskId);
      const conflict = await police.referrals
        .submit({
          ...prepared,
          message: (
            await police.referrals.prepare({ ...referral(), messageId: prepared.messageId })
          ).message,
        })
        .then(
          () => assert.fail('another message under a used identifier was accepted'),
          (caught: unknown) => caught,
        );
      assert.ok(conflict instanceof EnlaceError, String(conflict));
      assert.equal(conflict.code, 'ENLACE_MESSAGE_CONFLICT');
    });

    it('refuses a consent-denied referral with 403 and the gateway’s reason', async () => {
      const stranger = { system: CEDULA, value: '9.999.999-9' };
      const error = await police.referrals.send(referral({ survivor: stranger })).then(
        () => assert.fail('a referral without consent was accepted'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof EnlaceError, String(error));
      assert.equal(error.status, 403);
      assert.equal(error.code, 'ENLACE_CONSENT_DENIED');
    });

    it('delivers only what her consent allows, and says the sender’s signature went with it', async () => {
      const other = { system: CEDULA, value: '3.210.987-6' };
      const consent = await police.consent.record({
        survivor: other,
        actor: { organization: 'refugio-esperanza' },
        purposes: ['shelter'],
        dataClasses: ['risk-assessment'],
      });
      const sent = await police.referrals.send(
        referral({ survivor: other, consent: consent.reference }),
      );
      const opened = await shelter.referrals.open(sent.taskId);
      assert.equal(opened.redacted, true);
      assert.equal(opened.senderKey, undefined);
      assert.equal(opened.content.contact, undefined, 'her contact details were removed');
      assert.equal(opened.content.risk, 'high');
      assert.match(opened.decision, /removed contact-details/);
    });

    it('verifies a referral signed with a certificate chain to the network CA', async () => {
      const consent = await shelter.consent.record({
        survivor,
        actor: { role: 'police' },
        purposes: ['protection'],
        dataClasses: ['risk-assessment'],
      });
      const input = referral({
        to: 'comisaria-norte',
        purpose: 'protection',
        consent: consent.reference,
        services: ['police-protection'],
        summary: 'Her former partner was seen near the shelter.',
      });
      const sent = await shelter.referrals.send(withoutContact(input));
      fromShelter = sent.taskId;
      const opened = await police.referrals.open(sent.taskId);
      assert.equal(opened.senderKey?.kind, 'certificate');
      assert.match(opened.senderKey.subject, /refugio-esperanza/);
      assert.equal(opened.content.sender, 'refugio-esperanza');
    });

    it('refuses a push whose headers and signed content disagree, or that is not for it', async () => {
      const genuine = await pushed('referral');
      await assert.rejects(
        shelter.verifyPush({
          headers: { ...genuine.headers, 'content-type': 'application/json' },
          body: genuine.body,
        }),
        (error: unknown) => error instanceof EnlaceVerificationError && error.check === 'push',
      );
      await assert.rejects(
        police.verifyPush(genuine),
        (error: unknown) =>
          error instanceof EnlaceVerificationError && error.check === 'decryption',
      );
    });

    it('after she withdraws consent, tells the shelter by a verified push and releases nothing more', async () => {
      const before = network.pushes.length;
      const revoked = await police.consent.revoke(recorded, 'She withdrew her consent in person.');
      assert.equal(revoked.consent.resource.status, 'inactive');
      assert.equal(revoked.notifiedInstitutions, 1);
      const push = await shelter.verifyPush(await pushed('consent-revoked', before));
      assert.equal(push.kind, 'consent-revoked');
      const error = await shelter.referrals.open(taskId).then(
        () => assert.fail('released after withdrawal'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof EnlaceError && error.status === 403, String(error));
      assert.equal(error.code, 'ENLACE_CONSENT_DENIED');
    });

    it('verifies the audit log: a signed checkpoint, an event’s inclusion, and consistency with a later one', async () => {
      const oversight = await connect({ profile: network.oversight.profile });
      const older = await oversight.audit.checkpoint();
      await police.consent.evaluate({ survivor, purpose: 'shelter' });
      let newer = await oversight.audit.checkpoint();
      for (let tries = 0; newer.size === older.size && tries < 50; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        newer = await oversight.audit.checkpoint();
      }
      assert.ok(newer.size > older.size);
      await oversight.audit.proveConsistency(older, newer);
      const events = await oversight.api.GET('/fhir/AuditEvent', {
        params: { query: { _count: 1, _sort: 'date' } },
      });
      const event = (events.data as Bundle<AuditEvent> | undefined)?.entry?.[0]?.resource;
      assert.ok(event, `no AuditEvent: ${events.response.status}`);
      const included = await oversight.audit.proveInclusion({ auditEvent: event }, newer);
      assert.equal(included.index, 0);
      await assert.rejects(
        oversight.audit.proveConsistency({ ...older, rootHash: new Uint8Array(32) }, newer),
        (error: unknown) =>
          error instanceof EnlaceVerificationError && error.check === 'audit-proof',
      );
    });

    it('raises EnlaceOAuthError when its key is not the one registered', async () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const profile = JSON.parse(await readFile(network.police.profile, 'utf8')) as {
        gateway: string;
        clientId: string;
      };
      const error = await connect({
        gateway: profile.gateway,
        clientId: profile.clientId,
        signingKey: { privateKey, alg: 'ES256', kid: 'comisaria-norte-sig-1' },
      }).then(
        () => assert.fail('connected with a key nobody registered'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof EnlaceOAuthError, String(error));
      assert.equal(error.status, 401);
      assert.equal(error.error, 'invalid_client');
    });

    it('refuses a sender whose certificate the network has since revoked, by the CRL', async () => {
      const [certificate] = (await network.operator(
        'pki',
        'list',
        '--partner',
        'refugio-esperanza',
      )) as {
        serial: string;
      }[];
      assert.ok(certificate);
      await network.operator('pki', 'revoke', certificate.serial, '--reason', 'keyCompromise');
      // A new client: the one above keeps the CRL it read for a few minutes.
      const station = await connect({ profile: network.police.profile });
      const error = await station.referrals.open(fromShelter).then(
        () => assert.fail('a revoked signer was believed'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof EnlaceVerificationError && error.check === 'sender-signature');
      assert.match(reasons(error), /revoked by CRL GET \/pki\/crl/);
    });
  });
}
