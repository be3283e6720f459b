// The push delivery worker against real receivers on 127.0.0.1: retries, dead letters, SSRF refusals, leases, consent, admin.
import assert from 'node:assert/strict';
import { findEncryptionKey } from '../../../src/referrals/encryption-keys.js';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  Bundle,
  ExtractResource,
  MessageHeader,
  ResourceType,
  Task,
} from '@medplum/fhirtypes';
import { compactDecrypt, exportJWK, generateKeyPair, importJWK, type CryptoKey } from 'jose';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { ConsentDenied, type Decision } from '../../../src/consent/index.js';
import { verifyBundleSignature } from '../../../src/crypto/index.js';
import { deliveryRoutes } from '../../../src/http/delivery-routes.js';
import { GatewayError, type Authorizer } from '../../../src/kernel/index.js';
import { enqueueDelivery } from '../../../src/referrals/outbox.js';
import {
  createHttpSend,
  DELIVERY_SEQUENCE_EXTENSION,
  enqueueConsentRevokedNotices,
  openDeliveryPayload,
  parseAllowedHosts,
  runDeliveryPass,
  sealLegacyDeliveryPayloads,
  type DeliveryDeps,
  type DeliverySettings,
  type ResolveHost,
} from '../../../src/referrals/delivery/index.js';
import type { PackageForRecipient } from '../../../src/referrals/types.js';
import type { Store } from '../../../src/store/index.js';
import { createMemoryLogger, type MemoryLog } from '../../support/memory-log.js';
import { assertOutcome } from '../../support/outcome.js';
import { createTestServices, TEST_PUBLIC_URL, type TestServices } from '../../support/test-app.js';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const HOUR = 3_600_000;
const SECRET_MARKER = 'survivor-narrative-must-not-leak';
const RECIPIENT = 'shelter-norte';
const SENDER = 'police-central';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A rest-hook receiver on 127.0.0.1 that answers from a script (last status repeats). */
class Receiver {
  readonly requests: Received[] = [];
  statuses: number[] = [200];
  /** When set, answers by the request instead of by the script. */
  statusFor: ((headers: IncomingHttpHeaders) => number) | undefined;
  location: string | undefined;
  #server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const status =
          this.statusFor?.(req.headers) ??
          this.statuses[Math.min(this.requests.length - 1, this.statuses.length - 1)] ??
          200;
        if (this.location !== undefined) res.setHeader('Location', this.location);
        res.statusCode = status;
        res.end();
      });
    });
    const server = this.#server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }
}

const permit: Decision = {
  outcome: 'permit',
  reliedOn: ['Consent/c1/_history/1'],
  permitted: ['referral'] as unknown as Decision['permitted'],
  remove: [],
  conflicts: [],
};
const deny: Decision = { ...permit, outcome: 'deny', reliedOn: [], permitted: [] };

describe('push delivery worker', () => {
  let test: TestServices;
  let store: Store;
  let receiver: Receiver;
  let log: MemoryLog;
  let privateKey: CryptoKey;
  let settings: DeliverySettings;
  let packageCalls: number;
  let consentAllows: boolean;
  let resolveHost: ResolveHost | undefined;

  const packageForRecipient: PackageForRecipient = async (unit, referralId) => {
    packageCalls += 1;
    // The gate runs inside the caller's transaction; reading through the unit proves it was given one.
    const row = await unit.db
      .selectFrom('referral')
      .select('id')
      .where('id', '=', referralId)
      .executeTakeFirst();
    assert.ok(row !== undefined);
    if (!consentAllows) throw new ConsentDenied(deny);
    return { jwe: `sealed.${referralId}.for.${RECIPIENT}.jwe`, decision: permit };
  };

  let loggerRef: DeliveryDeps['logger'];

  const deps = (overrides: Partial<DeliveryDeps> = {}): DeliveryDeps => {
    return {
      store,
      clock: () => T0,
      logger: loggerRef,
      send: createHttpSend({ timeoutMs: 5000 }),
      packageForRecipient,
      encryptionKeys: findEncryptionKey,
      vault: test.services.vault,
      signingKey: test.services.keys.signing,
      publicUrl: TEST_PUBLIC_URL,
      settings,
      random: () => 0.5,
      ...(resolveHost === undefined ? {} : { resolveHost }),
      ...overrides,
    };
  };

  const allow = (...entries: string[]): DeliverySettings => ({
    ...settings,
    allowedHosts: parseAllowedHosts(entries),
  });

  async function setEndpoint(address: string): Promise<void> {
    await store.db
      .updateTable('partner_endpoint')
      .set({ address })
      .where('partner_id', '=', RECIPIENT)
      .execute();
  }

  async function queue(kind: 'task-update' | 'referral' = 'task-update', at = T0): Promise<string> {
    return enqueueDelivery(
      store.db,
      {
        recipient: RECIPIENT,
        kind,
        ...(kind === 'referral' ? { referralId: 'ref-1' } : {}),
        payload: { resourceType: 'Task', id: 'ref-1', status: 'accepted', note: SECRET_MARKER },
        idempotencyKey: `ref-1:${kind}:${Math.random()}`,
      },
      at,
      test.services.vault,
    );
  }

  /** Decrypts a push with the recipient's key and checks the gateway's signature on the notice. */
  async function openNotice(pushed: Received | undefined): Promise<Bundle> {
    assert.ok(pushed !== undefined);
    const { plaintext } = await compactDecrypt(pushed.body, privateKey);
    const notice = JSON.parse(new TextDecoder().decode(plaintext)) as Bundle;
    const signing = test.services.keys.signing;
    const key = await importJWK(signing.publicJwk, signing.alg);
    if (key instanceof Uint8Array) throw new Error('unexpected symmetric key');
    const verified = await verifyBundleSignature(
      notice,
      () => Promise.resolve({ key, info: signing.kid }),
      { now: T0 },
    );
    assert.equal(verified.who.reference, 'Organization/enlace-gateway');
    assert.equal(notice.type, 'message');
    assert.equal(notice.id, pushed.headers['enlace-delivery-id']);
    return notice;
  }

  /** The notice's content, of the type expected: the entry its MessageHeader focuses on. */
  function contentOf<K extends ResourceType>(notice: Bundle, type: K): ExtractResource<K> {
    const header = notice.entry?.[0]?.resource as MessageHeader;
    const content = notice.entry?.[1];
    assert.equal(header.focus?.[0]?.reference, content?.fullUrl);
    assert.equal(content?.resource?.resourceType, type);
    return content.resource as ExtractResource<K>;
  }

  async function row(id: string) {
    return store.db
      .selectFrom('delivery')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  beforeEach(async () => {
    test = await createTestServices();
    store = test.store;
    const memory = createMemoryLogger('info');
    log = memory.log;
    loggerRef = memory.logger;
    receiver = new Receiver();
    await receiver.start();
    packageCalls = 0;
    consentAllows = true;
    resolveHost = undefined;
    settings = {
      allowedHosts: parseAllowedHosts([`127.0.0.1:${receiver.port}`]),
      allowLoopbackHttp: true,
      horizonMs: 24 * HOUR,
      baseDelayMs: 30_000,
      maxDelayMs: HOUR,
      leaseMs: 60_000,
      batchSize: 10,
      timeoutMs: 5000,
      pollMs: 1000,
    };
    const keys = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256' });
    privateKey = keys.privateKey;
    const stamp = T0.toISOString();
    for (const [id, role] of [
      [SENDER, 'police'],
      [RECIPIENT, 'shelter'],
    ] as const) {
      await store.db
        .insertInto('partner')
        .values({
          id,
          name: id,
          role,
          status: 'active',
          created_at: stamp,
          updated_at: stamp,
          version: 1,
        })
        .execute();
    }
    await store.db
      .insertInto('partner_endpoint')
      .values({
        id: `${RECIPIENT}-push`,
        partner_id: RECIPIENT,
        address: receiver.url,
        status: 'active',
      })
      .execute();
    await store.db
      .insertInto('partner_encryption_key')
      .values({
        partner_id: RECIPIENT,
        kid: 'enc-1',
        jwk: JSON.stringify({ ...(await exportJWK(keys.publicKey)), use: 'enc', kid: 'enc-1' }),
        created_at: stamp,
      })
      .execute();
    await store.db
      .insertInto('referral')
      .values({
        id: 'ref-1',
        message_key: 'urn:test|m1',
        content_hash: '00',
        sender: SENDER,
        recipient: RECIPIENT,
        pseudonym: 'k1.abc',
        event: 'referral-request',
        purpose: 'protection',
        data_classes: '[]',
        status: 'requested',
        task: '{}',
        task_version: 1,
        payload_key_id: 'kek',
        payload: 'sealed',
        acknowledgement: '{}',
        recipient_acknowledgement: null,
        created_at: stamp,
        updated_at: stamp,
      })
      .execute();
  });

  afterEach(async () => {
    await receiver.stop();
    await test.dispose();
  });

  it('delivers on the first attempt as application/jose with Idempotency-Key and delivery id', async () => {
    const id = await queue();
    const summary = await runDeliveryPass(deps(), T0);
    assert.deepEqual(summary, { claimed: 1, delivered: 1, retried: 0, dead: 0 });
    assert.equal(receiver.requests.length, 1);
    const [received] = receiver.requests;
    const stored = await row(id);
    assert.equal(received?.headers['content-type'], 'application/jose');
    assert.equal(received.headers['idempotency-key'], stored.idempotency_key);
    assert.equal(received.headers['enlace-delivery-id'], id);
    const { protectedHeader } = await compactDecrypt(received.body, privateKey);
    assert.equal(protectedHeader.kid, 'enc-1');
    assert.equal(protectedHeader.cty, 'application/fhir+json');
    const notice = await openNotice(received);
    const header = notice.entry?.[0]?.resource as MessageHeader;
    assert.equal(header.eventCoding?.code, 'task-update');
    assert.equal(header.destination?.[0]?.receiver?.reference, `Organization/${RECIPIENT}`);
    assert.equal((contentOf(notice, 'Task') as Task & { note?: string }).note, SECRET_MARKER);
    assert.ok(!stored.payload.includes(SECRET_MARKER), 'the outbox row holds it sealed');
    assert.equal(stored.status, 'delivered');
    assert.equal(stored.attempts, 1);
    assert.equal(stored.delivered_at, T0.toISOString());
    const audit = await store.audit.list();
    const exported = audit.filter((record) => record.event.type.code === '110106');
    assert.equal(exported.length, 1);
    assert.equal(exported[0]?.event.outcome, '0');
    assert.ok(!JSON.stringify(audit).includes(SECRET_MARKER), 'no payload in the audit trail');
  });

  it('retries a 500 after the jittered backoff and delivers once', async () => {
    receiver.statuses = [500, 200];
    const id = await queue();
    await runDeliveryPass(deps(), T0);
    let stored = await row(id);
    assert.equal(stored.status, 'pending');
    assert.equal(stored.attempts, 1);
    assert.equal(stored.last_error, 'HTTP 500');
    // Full jitter with random 0.5 over a 30 s base: 15 s.
    assert.equal(stored.next_attempt_at, T0.getTime() + 15_000);
    await runDeliveryPass(deps(), new Date(T0.getTime() + 14_999));
    assert.equal(receiver.requests.length, 1, 'not before the backoff');
    await runDeliveryPass(deps(), new Date(T0.getTime() + 15_000));
    await runDeliveryPass(deps(), new Date(T0.getTime() + HOUR));
    assert.equal(receiver.requests.length, 2);
    stored = await row(id);
    assert.equal(stored.status, 'delivered');
    assert.equal(stored.attempts, 2);
    assert.equal(
      receiver.requests[0]?.headers['idempotency-key'],
      receiver.requests[1]?.headers['idempotency-key'],
    );
  });

  it('dead-letters a delivery whose receiver always fails once the horizon passes, with one error line', async () => {
    receiver.statuses = [503];
    const id = await queue();
    let now = T0.getTime();
    for (let pass = 0; pass < 500; pass += 1) {
      await runDeliveryPass(deps(), new Date(now));
      const stored = await row(id);
      if (stored.status !== 'pending') break;
      now = stored.next_attempt_at;
    }
    const stored = await row(id);
    assert.equal(stored.status, 'dead');
    assert.equal(stored.attempts, receiver.requests.length);
    assert.ok(now <= T0.getTime() + 24 * HOUR, 'every attempt happened within the horizon');
    assert.ok(receiver.requests.length > 20);
    const alerts = log.records.filter((record) => record.msg === 'delivery dead-lettered');
    const alert = alerts.at(0);
    assert.ok(alert !== undefined);
    assert.equal(alerts.length, 1);
    assert.equal(alert.level, 50);
    assert.equal(alert.delivery, id);
    assert.equal(alert.recipient, RECIPIENT);
    assert.equal(alert.kind, 'task-update');
    assert.equal(alert.attempts, receiver.requests.length);
    assert.ok(!log.text.includes(SECRET_MARKER), 'the payload never reaches the log');
    const dead = (await store.audit.list()).filter((record) => record.event.outcome === '8');
    assert.equal(dead.length, 1);
  });

  it('does not follow a redirect', async () => {
    const elsewhere = new Receiver();
    await elsewhere.start();
    try {
      settings = allow(`127.0.0.1:${receiver.port}`, `127.0.0.1:${elsewhere.port}`);
      receiver.statuses = [302];
      receiver.location = elsewhere.url;
      const id = await queue();
      await runDeliveryPass(deps(), T0);
      assert.equal(receiver.requests.length, 1);
      assert.equal(elsewhere.requests.length, 0, 'the redirect target was never contacted');
      const stored = await row(id);
      assert.equal(stored.status, 'pending');
      assert.equal(stored.last_error, 'HTTP 302');
    } finally {
      await elsewhere.stop();
    }
  });

  it('never contacts a host:port outside the allow-list and dead-letters at once', async () => {
    const outside = new Receiver();
    await outside.start();
    try {
      await setEndpoint(outside.url);
      const id = await queue();
      const summary = await runDeliveryPass(deps(), T0);
      assert.equal(summary.dead, 1);
      assert.equal(outside.requests.length, 0);
      assert.equal(receiver.requests.length, 0);
      const stored = await row(id);
      assert.equal(stored.status, 'dead');
      assert.equal(stored.last_error, 'endpoint not allowed');
      assert.ok(log.records.some((record) => record.msg === 'delivery endpoint refused'));
    } finally {
      await outside.stop();
    }
  });

  it('refuses an allow-listed name that resolves to a private address', async () => {
    settings = allow(`hook.shelter.test:${receiver.port}`);
    resolveHost = (hostname) => {
      assert.equal(hostname, 'hook.shelter.test');
      return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    };
    await setEndpoint(`https://hook.shelter.test:${receiver.port}/hook`);
    const id = await queue();
    await runDeliveryPass(deps(), T0);
    assert.equal(receiver.requests.length, 0);
    assert.equal((await row(id)).last_error, 'endpoint not allowed');
  });

  it('refuses localhost over http when only the name, not the loopback address, is allowed', async () => {
    settings = allow(`localhost:${receiver.port}`);
    await setEndpoint(`http://localhost:${receiver.port}/hook`);
    resolveHost = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    const id = await queue();
    await runDeliveryPass(deps(), T0);
    assert.equal(receiver.requests.length, 0);
    assert.equal((await row(id)).status, 'dead');
  });

  it('refuses plain http to loopback outside the development profile', async () => {
    settings = { ...settings, allowLoopbackHttp: false };
    const id = await queue();
    await runDeliveryPass(deps(), T0);
    assert.equal(receiver.requests.length, 0);
    assert.equal((await row(id)).last_error, 'endpoint not allowed');
  });

  it('pushes a row once when two instances run a pass at the same moment', async () => {
    const ids = [await queue(), await queue(), await queue()];
    const results = await Promise.all([
      runDeliveryPass(deps(), T0),
      runDeliveryPass(deps(), T0),
      runDeliveryPass(deps(), T0),
    ]);
    assert.equal(
      results.reduce((sum, result) => sum + result.claimed, 0),
      3,
    );
    assert.equal(receiver.requests.length, 3);
    assert.deepEqual(
      receiver.requests.map((received) => received.headers['enlace-delivery-id']).sort(),
      [...ids].sort(),
    );
  });

  it('gives passes running at once disjoint batches, so together they take every due row', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i += 1) ids.push(await queue());
    const results = await Promise.all([
      runDeliveryPass(deps(), T0),
      runDeliveryPass(deps(), T0),
      runDeliveryPass(deps(), T0),
    ]);
    assert.deepEqual(
      results.map((result) => result.claimed).sort((x, y) => x - y),
      [5, 10, 10],
    );
    assert.deepEqual(
      receiver.requests.map((received) => received.headers['enlace-delivery-id']).sort(),
      [...ids].sort(),
    );
  });

  it('starts no push its lease could not cover; the row waits for the next claim', async () => {
    const id = await queue();
    settings = { ...settings, leaseMs: settings.timeoutMs };
    const summary = await runDeliveryPass(deps(), T0);
    assert.deepEqual(summary, { claimed: 1, delivered: 0, retried: 0, dead: 0 });
    assert.equal(receiver.requests.length, 0);
    const held = await row(id);
    assert.equal(held.status, 'pending');
    assert.equal(held.attempts, 0);
    assert.equal(held.lease_until, T0.getTime() + settings.timeoutMs);
    assert.ok(
      log.records.some(
        (record) => record.msg === 'delivery lease too short for the push; left for the next pass',
      ),
    );
    settings = { ...settings, leaseMs: 60_000 };
    assert.equal((await runDeliveryPass(deps(), new Date(T0.getTime() + 5001))).delivered, 1);
  });

  it('leaves a row another instance holds under lease alone until the lease expires', async () => {
    const id = await queue();
    await store.db
      .updateTable('delivery')
      .set({ lease_until: T0.getTime() + 60_000 })
      .where('id', '=', id)
      .execute();
    assert.equal((await runDeliveryPass(deps(), T0)).claimed, 0);
    assert.equal(receiver.requests.length, 0);
    assert.equal((await runDeliveryPass(deps(), new Date(T0.getTime() + 60_001))).delivered, 1);
  });

  it('re-checks consent at each attempt: a referral is never pushed once consent is withdrawn', async () => {
    consentAllows = false;
    const id = await queue('referral');
    await runDeliveryPass(deps(), T0);
    assert.equal(receiver.requests.length, 0);
    const stored = await row(id);
    assert.equal(stored.status, 'dead');
    assert.equal(stored.last_error, 'consent withdrawn');
    await runDeliveryPass(deps(), new Date(T0.getTime() + 2 * HOUR));
    assert.equal(packageCalls, 1, 'never retried');
    const events = (await store.audit.list()).map((record) => record.event);
    assert.ok(events.some((event) => event.type.code === '110106' && event.outcome === '4'));
  });

  it('stops a pending referral push when consent is revoked between attempts', async () => {
    receiver.statuses = [500, 200];
    const id = await queue('referral');
    await runDeliveryPass(deps(), T0);
    assert.equal(receiver.requests.length, 1);
    assert.equal(receiver.requests[0]?.body, `sealed.ref-1.for.${RECIPIENT}.jwe`);
    consentAllows = false;
    await runDeliveryPass(deps(), new Date(T0.getTime() + HOUR));
    assert.equal(packageCalls, 2);
    assert.equal(receiver.requests.length, 1, 'no push after the revocation');
    assert.equal((await row(id)).last_error, 'consent withdrawn');
  });

  it('tells each recipient under a revoked consent, naming the consent and the referrals', async () => {
    await store.db
      .insertInto('consent')
      .values({
        id: 'c1',
        version: 2,
        pseudonym: 'k1.abc',
        key_id: 'k1',
        status: 'inactive',
        recorder: SENDER,
        recorded_at: T0.toISOString(),
        updated_at: T0.toISOString(),
        resource: '{}',
      })
      .execute();
    await store.db
      .insertInto('consent_disclosure')
      .values({
        id: 'd1',
        consent_id: 'c1',
        consent_version: 1,
        recipient: RECIPIENT,
        disclosed_at: T0.toISOString(),
        what: JSON.stringify({ reference: 'Bundle/ref-1', dataClasses: ['referral'] }),
      })
      .execute();
    const ids = await store.transaction((unit) =>
      enqueueConsentRevokedNotices(
        unit,
        [RECIPIENT, RECIPIENT],
        'Consent/c1/_history/2',
        T0,
        test.services.vault,
      ),
    );
    assert.equal(ids.length, 1);
    const again = await store.transaction((unit) =>
      enqueueConsentRevokedNotices(
        unit,
        [RECIPIENT],
        'Consent/c1/_history/2',
        T0,
        test.services.vault,
      ),
    );
    assert.deepEqual(again, [], 'queued once per consent version and recipient');
    await runDeliveryPass(deps(), T0);
    assert.equal(receiver.requests.length, 1);
    assert.equal(receiver.requests[0]?.headers['enlace-delivery-kind'], 'consent-revoked');
    const message = await openNotice(receiver.requests.at(0));
    assert.equal(
      (message.entry?.[0]?.resource as MessageHeader).eventCoding?.code,
      'consent-revoked',
    );
    const notice = contentOf(message, 'Parameters');
    assert.equal(notice.resourceType, 'Parameters');
    assert.deepEqual(
      notice.parameter?.map((parameter) => [
        parameter.name,
        parameter.valueCoding?.code ??
          parameter.valueReference?.reference ??
          parameter.valueInstant,
      ]),
      [
        ['event', 'consent-revoked'],
        ['consent', 'Consent/c1/_history/2'],
        ['referral', 'Bundle/ref-1'],
        ['revoked', T0.toISOString()],
      ],
    );
  });

  it('pushes break-glass notices from the notification table once and marks them delivered', async () => {
    await store.db
      .insertInto('notification')
      .values({
        id: 'n1',
        recipient: RECIPIENT,
        kind: 'break-glass',
        payload: JSON.stringify({
          grant: 'g1',
          pseudonym: 'k1.abc',
          organization: SENDER,
          role: 'police',
          riskLevel: 'high',
          grantedAt: T0.toISOString(),
          expiresAt: new Date(T0.getTime() + HOUR).toISOString(),
          justification: SECRET_MARKER,
        }),
        created_at: T0.toISOString(),
        delivered_at: null,
      })
      .execute();
    await runDeliveryPass(deps(), T0);
    await runDeliveryPass(deps(), new Date(T0.getTime() + HOUR));
    assert.equal(receiver.requests.length, 1);
    const message = await openNotice(receiver.requests.at(0));
    assert.ok(!JSON.stringify(message).includes(SECRET_MARKER), 'only known fields are forwarded');
    assert.equal((message.entry?.[0]?.resource as MessageHeader).eventCoding?.code, 'break-glass');
    assert.equal(contentOf(message, 'Parameters').parameter?.[0]?.valueCoding?.code, 'break-glass');
    const notification = await store.db
      .selectFrom('notification')
      .select('delivered_at')
      .where('id', '=', 'n1')
      .executeTakeFirstOrThrow();
    assert.equal(notification.delivered_at, T0.toISOString());
  });

  describe('order per referral', () => {
    /** A Task update of `referralId` at `version`, as the closed loop queues it. */
    const queueUpdate = (referralId: string, version: number): Promise<string> =>
      enqueueDelivery(
        store.db,
        {
          recipient: RECIPIENT,
          kind: 'task-update',
          referralId,
          payload: {
            resourceType: 'Task',
            id: referralId,
            meta: { versionId: String(version) },
            status: 'in-progress',
            intent: 'order',
          },
          idempotencyKey: `${referralId}:task:${version}`,
        },
        T0,
        test.services.vault,
      );

    /** The sequence the signed notice carries, and that it agrees with the header. */
    async function signedSequence(pushed: Received): Promise<[string, number]> {
      const header = (await openNotice(pushed)).entry?.[0]?.resource as MessageHeader;
      const sequence = header.extension?.find(
        (extension) => extension.url === DELIVERY_SEQUENCE_EXTENSION,
      );
      const referral = sequence?.extension?.find((part) => part.url === 'referral');
      const number = sequence?.extension?.find((part) => part.url === 'number');
      assert.equal(String(number?.valuePositiveInt), pushed.headers['enlace-delivery-sequence']);
      return [referral?.valueReference?.reference ?? '', number?.valuePositiveInt ?? 0];
    }

    async function insertReferral(id: string): Promise<void> {
      const original = await store.db
        .selectFrom('referral')
        .selectAll()
        .where('id', '=', 'ref-1')
        .executeTakeFirstOrThrow();
      await store.db
        .insertInto('referral')
        .values({ ...original, id, message_key: `urn:test|${id}` })
        .execute();
    }

    it('numbers the pushes of one referral and, with a failing then recovering endpoint, delivers them in that order', async () => {
      const ids = [await queueUpdate('ref-1', 2), await queueUpdate('ref-1', 3)];
      ids.push(await queueUpdate('ref-1', 4));
      assert.deepEqual(
        await Promise.all(ids.map(async (id) => (await row(id)).referral_seq)),
        [1, 2, 3],
      );
      receiver.statuses = [500, 200];
      await runDeliveryPass(deps(), T0);
      assert.equal(receiver.requests.length, 1, 'only the first is attempted');
      assert.equal((await row(ids[1] ?? '')).attempts, 0, 'the second waits for the first');
      // Due again, the later ones still wait while the first backs off.
      await runDeliveryPass(deps(), new Date(T0.getTime() + 10_000));
      assert.equal(receiver.requests.length, 1);
      for (const offset of [15_000, 16_000, 17_000, 18_000]) {
        await runDeliveryPass(deps(), new Date(T0.getTime() + offset));
      }
      assert.deepEqual(
        receiver.requests.map((received) => received.headers['idempotency-key']),
        ['ref-1:task:2', 'ref-1:task:2', 'ref-1:task:3', 'ref-1:task:4'],
      );
      const signed: [string, number][] = [];
      for (const received of receiver.requests) signed.push(await signedSequence(received));
      assert.deepEqual(signed, [
        ['Task/ref-1', 1],
        ['Task/ref-1', 1],
        ['Task/ref-1', 2],
        ['Task/ref-1', 3],
      ]);
      for (const id of ids) assert.equal((await row(id)).status, 'delivered');
    });

    it('does not let one referral whose pushes keep failing hold back another referral', async () => {
      await insertReferral('ref-2');
      receiver.statusFor = (headers) =>
        String(headers['idempotency-key']).startsWith('ref-1:') ? 503 : 200;
      const stuck = [await queueUpdate('ref-1', 2), await queueUpdate('ref-1', 3)];
      const flowing = [await queueUpdate('ref-2', 2), await queueUpdate('ref-2', 3)];
      for (let pass = 0; pass < 3; pass += 1) {
        await runDeliveryPass(deps(), new Date(T0.getTime() + pass * 1000));
      }
      assert.deepEqual(await Promise.all(flowing.map(async (id) => (await row(id)).status)), [
        'delivered',
        'delivered',
      ]);
      assert.equal((await row(stuck[0] ?? '')).status, 'pending');
      assert.equal((await row(stuck[1] ?? '')).attempts, 0, 'never pushed ahead of the first');
      // Within a pass the two referrals are pushed side by side; each in its own order.
      const keys = receiver.requests.map((received) => String(received.headers['idempotency-key']));
      assert.deepEqual(
        keys.filter((key) => key.startsWith('ref-1:')),
        ['ref-1:task:2'],
      );
      assert.deepEqual(
        keys.filter((key) => key.startsWith('ref-2:')),
        ['ref-2:task:2', 'ref-2:task:3'],
      );
    });

    it('lets the next push go once an earlier one was dead-lettered', async () => {
      const [first, second] = [await queueUpdate('ref-1', 2), await queueUpdate('ref-1', 3)];
      await store.db
        .updateTable('delivery')
        .set({ status: 'dead', attempts: 30, last_error: 'HTTP 503' })
        .where('id', '=', first)
        .execute();
      await runDeliveryPass(deps(), T0);
      assert.equal((await row(second)).status, 'delivered');
      assert.equal(receiver.requests[0]?.headers['enlace-delivery-sequence'], '2');
    });

    it('counts each referral and recipient apart, and notices about no referral carry no number', async () => {
      await insertReferral('ref-2');
      await queueUpdate('ref-1', 2);
      const other = await queueUpdate('ref-2', 2);
      const unrelated = await queue();
      assert.equal((await row(other)).referral_seq, 1);
      assert.equal((await row(unrelated)).referral_seq, null);
      await runDeliveryPass(deps(), T0);
      const pushed = receiver.requests.find(
        (received) => received.headers['enlace-delivery-id'] === unrelated,
      );
      assert.equal(pushed?.headers['enlace-delivery-sequence'], undefined);
      const header = (await openNotice(pushed)).entry?.[0]?.resource as MessageHeader;
      assert.equal(header.extension, undefined);
    });
  });

  it('attempts nothing for an institution without an active push endpoint: its notices wait to be pulled', async () => {
    await store.db
      .updateTable('partner_endpoint')
      .set({ status: 'off' })
      .where('partner_id', '=', RECIPIENT)
      .execute();
    const id = await queue();
    const summary = await runDeliveryPass(deps(), new Date(T0.getTime() + 48 * HOUR));
    assert.equal(summary.claimed, 0);
    assert.equal(receiver.requests.length, 0);
    const stored = await row(id);
    assert.equal(stored.status, 'pending');
    assert.equal(stored.attempts, 0);
  });

  it('seals payloads an earlier version wrote in the clear, and still pushes them', async () => {
    const id = await queue();
    const legacy = JSON.stringify({ resourceType: 'Task', id: 'ref-1', note: SECRET_MARKER });
    await store.db.updateTable('delivery').set({ payload: legacy }).where('id', '=', id).execute();
    assert.equal(
      await sealLegacyDeliveryPayloads(store, test.services.vault),
      1,
      'the legacy row was sealed',
    );
    assert.equal(await sealLegacyDeliveryPayloads(store, test.services.vault), 0, 'once');
    const stored = await row(id);
    assert.ok(!stored.payload.includes(SECRET_MARKER));
    assert.deepEqual(await openDeliveryPayload(test.services.vault, stored), JSON.parse(legacy));
    await runDeliveryPass(deps(), T0);
    assert.equal(
      (contentOf(await openNotice(receiver.requests[0]), 'Task') as Task & { note?: string }).note,
      SECRET_MARKER,
    );
  });

  it('refuses a sealed payload moved onto another delivery', async () => {
    const [first, second] = [await queue(), await queue()];
    const moved = (await row(first)).payload;
    await store.db
      .updateTable('delivery')
      .set({ payload: moved })
      .where('id', '=', second)
      .execute();
    await assert.rejects(
      openDeliveryPayload(test.services.vault, await row(second)),
      (error: { code?: string }) => error.code === 'ENLACE_SEALED_RECORD_UNREADABLE',
    );
    await runDeliveryPass(deps(), T0);
    assert.equal((await row(second)).last_error, 'the notice could not be built');
    assert.equal(receiver.requests.length, 1, 'only the intact one was pushed');
  });

  describe('admin routes', () => {
    const operatorAuthorizer: Authorizer = (authorization) =>
      authorization === 'Bearer operator'
        ? Promise.resolve({
            kind: 'person',
            userId: 'u1',
            username: 'olga',
            role: 'operator',
            tokenId: 't1',
          })
        : Promise.reject(new GatewayError('ENLACE_TOKEN_INVALID', 'no'));

    const app = () =>
      createApp(
        { ...test.services, store, authorize: operatorAuthorizer },
        {
          routes: deliveryRoutes({
            ...test.services,
            store,
            clock: () => new Date(T0.getTime() + 2 * HOUR),
          }),
        },
      );

    it('lists deliveries by status and recipient without their payload, and requeues a dead one', async () => {
      consentAllows = false;
      const dead = await queue('referral');
      const pending = await queue();
      await runDeliveryPass(deps({ send: () => Promise.resolve({ status: 500 }) }), T0);
      const list = await request(app())
        .get(`/admin/deliveries?status=dead&recipient=${RECIPIENT}`)
        .set('Authorization', 'Bearer operator')
        .expect(200);
      assert.ok(!list.text.includes(SECRET_MARKER));
      const deliveries = (
        list.body as { deliveries: { id: string; status: string; lastError: string }[] }
      ).deliveries;
      assert.deepEqual(
        deliveries.map((delivery) => [delivery.id, delivery.status, delivery.lastError]),
        [[dead, 'dead', 'consent withdrawn']],
      );
      const all = await request(app())
        .get('/admin/deliveries')
        .set('Authorization', 'Bearer operator');
      assert.equal((all.body as { deliveries: unknown[] }).deliveries.length, 2);

      const retried = await request(app())
        .post(`/admin/deliveries/${dead}/retry`)
        .set('Authorization', 'Bearer operator')
        .expect(200);
      const summary = retried.body as { status: string; attempts: number; nextAttemptAt: string };
      assert.equal(summary.status, 'pending');
      assert.equal(summary.attempts, 1);
      assert.equal(summary.nextAttemptAt, new Date(T0.getTime() + 2 * HOUR).toISOString());
      const audit = (await store.audit.list()).map((record) => record.event);
      const requeued = audit.find((event) => event.action === 'U');
      assert.equal(requeued?.agent[0]?.who?.identifier?.value, 'olga');

      assertOutcome(
        await request(app())
          .post(`/admin/deliveries/${dead}/retry`)
          .set('Authorization', 'Bearer operator'),
        { status: 409, issue: 'conflict', code: 'ENLACE_DELIVERY_NOT_DEAD' },
      );
      assertOutcome(
        await request(app())
          .post(`/admin/deliveries/${pending}/retry`)
          .set('Authorization', 'Bearer operator'),
        { status: 409, issue: 'conflict', code: 'ENLACE_DELIVERY_NOT_DEAD' },
      );
      assertOutcome(
        await request(app())
          .post('/admin/deliveries/nope/retry')
          .set('Authorization', 'Bearer operator'),
        { status: 404, issue: 'not-found', code: 'ENLACE_DELIVERY_NOT_FOUND' },
      );
      assertOutcome(
        await request(app())
          .get('/admin/deliveries?status=lost')
          .set('Authorization', 'Bearer operator'),
        { status: 400, issue: 'invalid', code: 'ENLACE_INVALID_PARAMETER' },
      );
    });

    it('refuses a caller without an operator session', async () => {
      assertOutcome(await request(app()).get('/admin/deliveries'), {
        status: 401,
        issue: 'login',
        code: 'ENLACE_TOKEN_INVALID',
      });
    });
  });
});
