// Metrics and tracing settings: off by default, metrics never without a token, the token checked for strength.
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/index.js';
import { refusal } from './config-refusal.js';

const TOKEN = 'a'.repeat(24) + '-._~+/0123456789==';

describe('observability configuration', () => {
  it('turns metrics and tracing off by default', () => {
    const { config } = loadConfig({});
    assert.equal(config.metricsToken, undefined);
    assert.equal(config.otlpEndpoint, undefined);
  });

  it('serves metrics with the token configured', () => {
    const { config } = loadConfig({ ENLACE_METRICS: 'on', ENLACE_METRICS_TOKEN: TOKEN });
    assert.equal(config.metricsToken, TOKEN);
  });

  it('refuses metrics on without a token: there is no unauthenticated mode', () => {
    assert.match(
      refusal({ ENLACE_METRICS: 'on' }),
      /^ENLACE_METRICS=on requires ENLACE_METRICS_TOKEN/,
    );
  });

  it('refuses a token while metrics are off, and a token too short or with other characters, without echoing it', () => {
    assert.match(
      refusal({ ENLACE_METRICS_TOKEN: TOKEN }),
      /^ENLACE_METRICS_TOKEN is set but ENLACE_METRICS is off/,
    );
    for (const token of ['short-token', `${'b'.repeat(40)} space`, `${'c'.repeat(40)}"`]) {
      const message = refusal({ ENLACE_METRICS: 'on', ENLACE_METRICS_TOKEN: token });
      assert.match(message, /^ENLACE_METRICS_TOKEN must be the bearer token/);
      assert.ok(!message.includes(token), 'the message does not repeat the secret');
    }
    assert.match(refusal({ ENLACE_METRICS: 'yes' }), /^ENLACE_METRICS must be off or on/);
  });

  it('sends traces to an http(s) collector URL only', () => {
    const { config } = loadConfig({ ENLACE_OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318' });
    assert.equal(config.otlpEndpoint, 'http://otel:4318');
    assert.match(
      refusal({ ENLACE_OTEL_EXPORTER_OTLP_ENDPOINT: 'otel:4318' }),
      /^ENLACE_OTEL_EXPORTER_OTLP_ENDPOINT must be the http\(s\) base URL/,
    );
  });
});
