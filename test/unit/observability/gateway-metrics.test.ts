// The metrics' labels stay in closed sets, and a consent decision is counted by the rule that decided.
import assert from 'node:assert/strict';
import { decisionReason } from '../../../src/consent/gate/decision-reason.js';
import type { Decision } from '../../../src/consent/index.js';
import {
  createGatewayMetrics,
  installTelemetry,
  telemetry,
} from '../../../src/observability/index.js';
import { parseExposition, valueOf } from '../../support/prometheus-text.js';

const permit: Decision = {
  outcome: 'permit',
  reliedOn: ['Consent/c1/_history/1'],
  permitted: [],
  remove: [],
  conflicts: [],
};

describe('gateway metrics', () => {
  it('counts unusual methods, statuses and delivery kinds under one value each', async () => {
    const metrics = createGatewayMetrics({ version: 'test', pool: () => undefined });
    metrics.telemetry.httpRequest('PROPFIND', '/fhir/Task/:id', 207, 0.01);
    metrics.telemetry.httpRequest('GET', 'unmatched', 0, 0.01);
    metrics.telemetry.deliveryAttempt('something-new', 'delivered');
    const samples = parseExposition(await metrics.registry.metrics());
    const count = 'enlace_http_request_duration_seconds_count';
    assert.equal(valueOf(samples, count, { method: 'other', status_class: '2xx' }), 1);
    assert.equal(valueOf(samples, count, { method: 'GET', status_class: 'other' }), 1);
    assert.equal(
      valueOf(samples, 'enlace_delivery_attempts_total', { kind: 'other', outcome: 'delivered' }),
      1,
    );
    // SQLite has no pool: no gauge rather than a 0 that reads as an idle pool.
    assert.ok(!samples.some((sample) => sample.name.startsWith('enlace_database_pool')));
  });

  it('reads the pool at each scrape', async () => {
    let waiting = 0;
    const metrics = createGatewayMetrics({
      version: 'test',
      pool: () => ({ total: 4, idle: 1, waiting }),
    });
    waiting = 7;
    const samples = parseExposition(await metrics.registry.metrics());
    assert.equal(valueOf(samples, 'enlace_database_pool_connections', { state: 'total' }), 4);
    assert.equal(valueOf(samples, 'enlace_database_pool_connections', { state: 'idle' }), 1);
    assert.equal(valueOf(samples, 'enlace_database_pool_waiting'), 7);
  });

  it('is a no-op port until installed, and again once uninstalled', async () => {
    const metrics = createGatewayMetrics({ version: 'test', pool: () => undefined });
    telemetry().submission('referral-request', 'accepted');
    const uninstall = installTelemetry(metrics.telemetry);
    telemetry().submission('referral-request', 'accepted');
    uninstall();
    telemetry().submission('referral-request', 'accepted');
    const samples = parseExposition(await metrics.registry.metrics());
    assert.equal(
      valueOf(samples, 'enlace_submissions_total', {
        event: 'referral-request',
        outcome: 'accepted',
      }),
      1,
    );
  });

  it('names the rule that decided a consent, never the consent', () => {
    assert.equal(decisionReason(permit), 'consent');
    assert.equal(decisionReason({ ...permit, reliedOn: [] }), 'default-permit');
    assert.equal(decisionReason({ ...permit, emergencyGrant: 'grant-1' }), 'break-the-glass');
    assert.equal(decisionReason({ ...permit, outcome: 'deny' }), 'provision-deny');
    assert.equal(
      decisionReason({ ...permit, outcome: 'deny', conflicts: ['Consent/c2'] }),
      'conflict',
    );
    assert.equal(
      decisionReason({ ...permit, outcome: 'no-consent', reliedOn: [] }),
      'no-provision',
    );
  });
});
