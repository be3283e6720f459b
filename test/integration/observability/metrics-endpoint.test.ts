// GET /metrics: off by default, refused without its token, and with it an exposition whose counters follow a referral.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Bundle, MessageHeader } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { startMetricsEndpoint, type MetricsEndpoint } from '../../../src/observability/index.js';
import type { Database } from '../../../src/store/index.js';
import { assertOutcome } from '../../support/outcome.js';
import { parseExposition, valueOf, type Sample } from '../../support/prometheus-text.js';
import {
  createReferralNetwork,
  REFERRAL_T0,
  SURVIVOR_ID_SYSTEM,
  type ReferralNetwork,
} from '../referrals/referral-fixtures.js';

const TOKEN = 'metrics-token-0123456789abcdefghijklmnopqrstuvwxyz';
const METRICS_ENV = { ENLACE_METRICS: 'on', ENLACE_METRICS_TOKEN: TOKEN };

describe('GET /metrics', () => {
  let net: ReferralNetwork;
  let endpoint: MetricsEndpoint | undefined;

  afterEach(async () => {
    endpoint?.stop();
    endpoint = undefined;
    await net.dispose();
  });

  /** The network's app, serving the scrape of metrics installed for it. */
  async function metricsNetwork(): Promise<ReturnType<typeof createApp>> {
    net = await createReferralNetwork({ env: METRICS_ENV });
    const started = startMetricsEndpoint({
      version: 'test',
      store: net.store,
      pool: () => net.store.poolStats(),
      role: 'single',
      clock: () => new Date(Date.parse(REFERRAL_T0) + 90_000),
      onError: (err: unknown) => {
        throw err;
      },
    });
    endpoint = started;
    return createApp({ ...net.test.services, scrapeMetrics: () => started.scrape() });
  }

  const scrape = async (app: ReturnType<typeof createApp>): Promise<Sample[]> => {
    const res = await request(app)
      .get('/metrics')
      .set('Authorization', `Bearer ${TOKEN}`)
      .set('Accept', 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5')
      .expect(200);
    assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-store');
    return parseExposition(res.text);
  };

  it('answers 404, as for no route, when ENLACE_METRICS is off (the default)', async () => {
    net = await createReferralNetwork();
    assert.equal(net.test.services.config.metricsToken, undefined);
    const res = await request(net.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    assertOutcome(res, { status: 404, issue: 'not-found', code: 'ENLACE_ROUTE_NOT_FOUND' });
  });

  it('refuses a scrape without the token, with another token or another scheme', async () => {
    const app = await metricsNetwork();
    for (const authorization of [
      undefined,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN} extra`,
    ]) {
      const req = request(app).get('/metrics');
      const res = await (authorization === undefined
        ? req
        : req.set('Authorization', authorization));
      assertOutcome(res, { status: 401, issue: 'login', code: 'ENLACE_METRICS_TOKEN_INVALID' });
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="enlace-metrics"');
      assert.ok(!res.text.includes('enlace_'), 'no figure leaks with the refusal');
    }
  });

  it('counts a referral by event, outcome, consent decision and route pattern, with no identifier in any label', async () => {
    const app = await metricsNetwork();
    const survivor = `S-${randomUUID()}`;
    await net.recordConsent(survivor);
    const before = await scrape(app);
    const { jwe, bundle } = await net.referral(net.police, net.shelter, { survivorId: survivor });
    const res = await request(app)
      .post('/fhir/$process-message')
      .set('Authorization', 'Bearer police-central')
      .set('Content-Type', 'application/jose')
      .send(jwe)
      .expect(200);
    const ack = JSON.parse(res.text) as Bundle;
    const taskId = ((ack.entry?.[0]?.resource as MessageHeader).focus?.[0]?.reference ?? '').slice(
      'Task/'.length,
    );
    assert.match(taskId, /^[0-9a-f-]{36}$/);
    // An unreadable JWE is refused before its event is known.
    await request(app)
      .post('/fhir/$process-message')
      .set('Authorization', 'Bearer police-central')
      .set('Content-Type', 'application/jose')
      .send('not.a.jwe')
      .expect(400);
    const after = await scrape(app);
    const delta = (name: string, labels: Record<string, string>): number =>
      valueOf(after, name, labels) - valueOf(before, name, labels);

    assert.equal(
      delta('enlace_submissions_total', { event: 'referral-request', outcome: 'accepted' }),
      1,
    );
    const refused = after.filter(
      (sample) => sample.name === 'enlace_submissions_total' && sample.labels.event === 'unknown',
    );
    assert.equal(refused.length, 1);
    assert.match(refused[0]?.labels.outcome ?? '', /^ENLACE_JWE_/);
    assert.equal(
      delta('enlace_consent_decisions_total', { decision: 'permit', reason: 'consent' }),
      1,
    );
    const submissions = {
      method: 'POST',
      route: '/fhir/$process-message',
      status_class: '2xx',
    };
    assert.equal(delta('enlace_http_request_duration_seconds_count', submissions), 1);
    assert.equal(
      delta('enlace_http_request_duration_seconds_count', { ...submissions, status_class: '4xx' }),
      1,
    );
    // The two scrapes before were counted too, under the route pattern.
    assert.ok(
      valueOf(after, 'enlace_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/metrics',
        status_class: '2xx',
      }) >= 1,
    );
    // The database figures, read at the scrape.
    const audit = await net.store.audit.count();
    assert.equal(valueOf(after, 'enlace_database_figures_up'), 1);
    assert.equal(valueOf(after, 'enlace_audit_log_entries'), audit);
    assert.equal(valueOf(after, 'enlace_audit_log_unsigned_entries'), audit);
    assert.equal(valueOf(after, 'enlace_outbox_deliveries', { status: 'pending' }), 1);
    assert.equal(valueOf(after, 'enlace_outbox_deliveries', { status: 'dead' }), 0);
    assert.equal(valueOf(after, 'enlace_metrics_processes'), 1);
    // Runtime: event-loop lag and the process's own figures.
    assert.ok(after.some((sample) => sample.name === 'nodejs_eventloop_lag_seconds'));
    assert.ok(after.some((sample) => sample.name === 'process_cpu_user_seconds_total'));
    if (net.store.dialect === 'postgres') {
      assert.ok(valueOf(after, 'enlace_database_pool_connections', { state: 'total' }) >= 1);
    }

    const identifiers = [
      survivor,
      taskId,
      bundle.identifier?.value ?? 'no message id',
      SURVIVOR_ID_SYSTEM,
      net.police.id,
      net.shelter.id,
      net.police.clientId,
      net.shelter.clientId,
    ];
    for (const sample of after) {
      for (const value of Object.values(sample.labels)) {
        for (const identifier of identifiers) {
          assert.ok(
            !value.includes(identifier),
            `${sample.name} has the label value ${value}, which names ${identifier}`,
          );
        }
      }
    }
  });

  it('says the audit checkpoint age once a checkpoint is signed', async () => {
    const app = await metricsNetwork();
    await net.recordConsent(`S-${randomUUID()}`);
    assert.ok((await net.test.services.ledger.checkpoint()) !== undefined);
    const samples = await scrape(app);
    assert.equal(valueOf(samples, 'enlace_audit_checkpoint_age_seconds'), 90);
    assert.equal(valueOf(samples, 'enlace_audit_log_unsigned_entries'), 0);
  });

  it('still answers when the database figures cannot be read, saying so', async () => {
    net = await createReferralNetwork();
    const failures: unknown[] = [];
    const broken = {
      selectFrom: () => {
        throw new Error('database down');
      },
    } as unknown as Kysely<Database>;
    endpoint = startMetricsEndpoint({
      version: 'test',
      store: { db: broken },
      pool: () => undefined,
      role: 'single',
      clock: () => new Date(),
      onError: (err: unknown) => failures.push(err),
    });
    const samples = parseExposition(await endpoint.scrape());
    assert.equal(valueOf(samples, 'enlace_database_figures_up'), 0);
    assert.ok(!samples.some((sample) => sample.name === 'enlace_outbox_deliveries'));
    assert.ok(samples.some((sample) => sample.name === 'enlace_info'));
    assert.equal(failures.length, 1);
  });
});
