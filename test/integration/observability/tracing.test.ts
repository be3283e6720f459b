// Traces: the caller's traceparent is continued, each pipeline step is a span under it, and a push carries ours on.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-node';
import request from 'supertest';
import { startTracing } from '../../../src/observability/index.js';
import {
  createHttpSend,
  deliverySettingsFrom,
  runDeliveryPass,
} from '../../../src/referrals/delivery/index.js';
import { findEncryptionKey } from '../../../src/referrals/encryption-keys.js';
import { createPackageForRecipient } from '../../../src/referrals/index.js';
import { silentLogger } from '../../support/memory-log.js';
import {
  createReferralNetwork,
  REFERRAL_T0,
  type ReferralNetwork,
} from '../referrals/referral-fixtures.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${CALLER_SPAN_ID}-01`;

/** Every step of an accepted referral, from the token to the answer. */
const PIPELINE = [
  'enlace.authenticate',
  'enlace.http.read-body',
  'enlace.submission.decrypt',
  'enlace.submission.validate',
  'enlace.submission.verify',
  'enlace.submission.route',
  'enlace.submission.handle',
  'enlace.submission.acknowledge',
  'enlace.submission.seal',
  'enlace.submission.persist',
  'enlace.submission.consent',
  'enlace.submission.audit',
  'enlace.http.respond',
];

async function until(probe: () => boolean): Promise<void> {
  for (let tries = 0; tries < 100 && !probe(); tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('OpenTelemetry traces', () => {
  let exporter: InMemorySpanExporter;
  let stopTracing: () => Promise<void>;
  let net: ReferralNetwork;
  let receiver: Server;
  let pushed: IncomingHttpHeaders[];

  before(async () => {
    exporter = new InMemorySpanExporter();
    stopTracing = await startTracing({
      serviceVersion: 'test',
      spanProcessor: new SimpleSpanProcessor(exporter),
    });
  });
  after(() => stopTracing());

  beforeEach(async () => {
    pushed = [];
    receiver = createServer((req, res) => {
      pushed.push(req.headers);
      req.resume();
      req.on('end', () => res.end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    net = await createReferralNetwork({
      env: { ENLACE_DELIVERY_ALLOWED_HOSTS: `127.0.0.1:${port}` },
    });
    await net.store.db
      .insertInto('partner_endpoint')
      .values({
        id: 'casa-refugio-push',
        partner_id: net.shelter.id,
        address: `http://127.0.0.1:${port}/hook`,
        status: 'active',
      })
      .execute();
    exporter.reset();
  });
  afterEach(async () => {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    await net.dispose();
  });

  async function submit(survivor: string, traceparent?: string): Promise<void> {
    await net.recordConsent(survivor);
    const { jwe } = await net.referral(net.police, net.shelter, { survivorId: survivor });
    const req = request(net.app)
      .post('/fhir/$process-message')
      .set('Authorization', 'Bearer police-central')
      .set('Content-Type', 'application/jose');
    await (traceparent === undefined ? req : req.set('traceparent', traceparent))
      .send(jwe)
      .expect(200);
  }

  const serverSpan = (): ReadableSpan | undefined =>
    exporter.getFinishedSpans().find((span) => span.name === 'POST /fhir/$process-message');

  it("continues the caller's trace with a span per pipeline step, each under its parent", async () => {
    const survivor = `S-${randomUUID()}`;
    await submit(survivor, TRACEPARENT);
    await until(() => serverSpan() !== undefined);
    const spans = exporter.getFinishedSpans();
    const byName = new Map(spans.map((span) => [span.name, span]));
    const server = serverSpan();
    assert.ok(server !== undefined, 'the request has a server span');
    assert.equal(server.spanContext().traceId, TRACE_ID);
    assert.equal(server.parentSpanContext?.spanId, CALLER_SPAN_ID);
    assert.equal(server.attributes['http.route'], '/fhir/$process-message');
    assert.equal(server.attributes['http.response.status_code'], 200);
    assert.equal(server.attributes['enlace.message.event'], 'referral-request');
    for (const name of PIPELINE) {
      const span = byName.get(name);
      assert.ok(span !== undefined, `a span ${name}`);
      assert.equal(span.spanContext().traceId, TRACE_ID, `${name} is in the caller's trace`);
    }
    const parentOf = (name: string): string | undefined => {
      const parentId = byName.get(name)?.parentSpanContext?.spanId;
      return spans.find((span) => span.spanContext().spanId === parentId)?.name;
    };
    const root = 'POST /fhir/$process-message';
    for (const name of [
      'enlace.authenticate',
      'enlace.http.read-body',
      'enlace.submission.decrypt',
      'enlace.submission.validate',
      'enlace.submission.verify',
      'enlace.submission.route',
      'enlace.submission.handle',
      'enlace.http.respond',
    ]) {
      assert.equal(parentOf(name), root, `${name} is a child of the request`);
    }
    assert.equal(parentOf('enlace.submission.acknowledge'), 'enlace.submission.handle');
    assert.equal(parentOf('enlace.submission.persist'), 'enlace.submission.handle');
    assert.equal(parentOf('enlace.submission.consent'), 'enlace.submission.persist');
    assert.equal(parentOf('enlace.submission.audit'), 'enlace.submission.persist');
    assert.equal(
      byName.get('enlace.submission.decrypt')?.attributes['enlace.submission.media_type'],
      'application/jose',
    );
    assert.ok(
      Number(byName.get('enlace.submission.decrypt')?.attributes['enlace.submission.bytes']) > 0,
    );
    // No span names her, the case or the Task: attributes are codes, counts and sizes.
    const task = await net.store.db
      .selectFrom('referral')
      .select(['id', 'pseudonym'])
      .executeTakeFirstOrThrow();
    const recorded = JSON.stringify(spans.map((span) => [span.name, span.attributes, span.events]));
    for (const identifier of [survivor, task.id, task.pseudonym, net.police.clientId]) {
      assert.ok(!recorded.includes(identifier), `no span carries ${identifier}`);
    }
  });

  it('starts a trace of its own for a request without traceparent, and records a refusal by its code', async () => {
    await request(net.app)
      .post('/fhir/$process-message')
      .set('Authorization', 'Bearer police-central')
      .set('Content-Type', 'application/jose')
      .send('not.a.jwe')
      .expect(400);
    await until(() => serverSpan() !== undefined);
    const server = serverSpan();
    assert.ok(server !== undefined);
    assert.equal(server.parentSpanContext, undefined);
    const decrypt = exporter
      .getFinishedSpans()
      .find((span) => span.name === 'enlace.submission.decrypt');
    assert.ok(decrypt !== undefined, 'the refused step has a span');
    assert.equal(decrypt.spanContext().traceId, server.spanContext().traceId);
    assert.match(String(decrypt.attributes['enlace.error.code']), /^ENLACE_JWE_/);
    assert.equal(decrypt.status.message, undefined, 'no error text is recorded');
  });

  it('sends a traceparent with each delivery push, naming the push span', async () => {
    await submit(`S-${randomUUID()}`);
    const { services } = net.test;
    const clock = () => new Date(REFERRAL_T0);
    exporter.reset();
    const summary = await runDeliveryPass(
      {
        store: net.store,
        clock,
        logger: silentLogger(),
        send: createHttpSend({ timeoutMs: 5000 }),
        packageForRecipient: createPackageForRecipient({
          vault: services.vault,
          signingKey: services.keys.signing,
          gate: { ...services.consent, dialect: net.store.dialect, clock },
        }),
        encryptionKeys: findEncryptionKey,
        vault: services.vault,
        signingKey: services.keys.signing,
        publicUrl: services.config.publicUrl,
        settings: deliverySettingsFrom(services.config),
      },
      clock(),
    );
    assert.equal(summary.delivered, 1);
    assert.equal(pushed.length, 1);
    const traceparent = pushed[0]?.traceparent;
    assert.equal(typeof traceparent, 'string');
    const [, traceId, spanId] = String(traceparent).split('-');
    const push = exporter.getFinishedSpans().find((span) => span.name === 'enlace.delivery.push');
    assert.ok(push !== undefined, 'the push has a span');
    assert.equal(push.spanContext().traceId, traceId);
    assert.equal(push.spanContext().spanId, spanId);
    assert.equal(push.attributes['enlace.delivery.kind'], 'referral');
  });
});
