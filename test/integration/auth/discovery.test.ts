import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { startAuthHarness, type AuthHarness } from './auth-harness.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('authorization discovery and keys', () => {
  let harness: AuthHarness;

  before(async () => {
    harness = await startAuthHarness();
  });

  after(async () => {
    await harness.dispose();
  });

  it('serves the SMART configuration for backend services', async () => {
    const res = await request(harness.url).get('/fhir/.well-known/smart-configuration');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    const body = res.body as Record<string, unknown>;
    assert.equal(body.issuer, harness.url);
    assert.equal(body.token_endpoint, `${harness.url}/oauth2/token`);
    assert.equal(body.jwks_uri, `${harness.url}/.well-known/jwks.json`);
    assert.deepEqual(body.grant_types_supported, ['client_credentials']);
    assert.deepEqual(body.token_endpoint_auth_methods_supported, ['private_key_jwt']);
    assert.deepEqual(body.token_endpoint_auth_signing_alg_values_supported, [
      'ES256',
      'ES384',
      'PS256',
      'RS384',
      'EdDSA',
    ]);
    assert.deepEqual(body.capabilities, ['client-confidential-asymmetric', 'permission-v2']);
    const scopes = body.scopes_supported as string[];
    assert.ok(scopes.includes('system/Task.rus'));
    assert.ok(scopes.includes('system/AuditEvent.rs'));
    assert.ok(scopes.every((scope) => scope.startsWith('system/')));
  });

  it('serves the same facts as RFC 8414 metadata', async () => {
    const smart = (await request(harness.url).get('/fhir/.well-known/smart-configuration'))
      .body as Record<string, unknown>;
    const res = await request(harness.url).get('/.well-known/oauth-authorization-server');
    assert.equal(res.status, 200);
    const { capabilities, ...expected } = smart;
    assert.ok(Array.isArray(capabilities));
    assert.deepEqual(res.body, expected);
  });

  it('serves the same SMART configuration at the server root as under /fhir', async () => {
    const underFhir = await request(harness.url).get('/fhir/.well-known/smart-configuration');
    const atRoot = await request(harness.url).get('/.well-known/smart-configuration');
    assert.equal(atRoot.status, 200);
    assert.match(atRoot.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(atRoot.text, underFhir.text);
    assert.equal((atRoot.body as { issuer?: string }).issuer, harness.url);
  });

  it('serves no OpenID Provider configuration, since the gateway issues no ID tokens', async () => {
    for (const path of [
      '/.well-known/openid-configuration',
      '/fhir/.well-known/openid-configuration',
    ]) {
      assert.equal((await request(harness.url).get(path)).status, 404, path);
    }
  });

  it('lets the JWKS be cached publicly for five minutes, with a strong ETag over its bytes', async () => {
    const res = await request(harness.url).get('/.well-known/jwks.json');
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'public, max-age=300');
    assert.equal(res.headers.vary, 'Accept');
    const digest = createHash('sha256').update(res.text).digest('base64url');
    assert.equal(res.headers.etag, `"${digest}"`);
    const again = await request(harness.url)
      .get('/.well-known/jwks.json')
      .set('Accept', 'application/jwk-set+json');
    assert.equal(again.headers.etag, res.headers.etag, 'the same keys, the same tag');
  });

  it('answers 304 without a body when If-None-Match names the current JWKS', async () => {
    const { etag } = (await request(harness.url).get('/.well-known/jwks.json')).headers as {
      etag: string;
    };
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await request(harness.url)
        .get('/.well-known/jwks.json')
        .set('If-None-Match', header);
      assert.equal(res.status, 304, header);
      assert.equal(res.text, '', 'no body');
      assert.equal(res.headers.etag, etag);
      assert.equal(res.headers['cache-control'], 'public, max-age=300');
    }
  });

  it('answers the whole JWKS when If-None-Match names another version or is garbled', async () => {
    for (const header of ['"not-the-tag"', 'W/"x", "y"', 'garbage']) {
      const res = await request(harness.url)
        .get('/.well-known/jwks.json')
        .set('If-None-Match', header);
      assert.equal(res.status, 200, header);
      assert.ok(Array.isArray((res.body as { keys?: unknown }).keys));
    }
  });

  it('keeps every other public document out of caches', async () => {
    for (const path of [
      '/fhir/.well-known/smart-configuration',
      '/.well-known/smart-configuration',
      '/.well-known/oauth-authorization-server',
    ]) {
      assert.equal((await request(harness.url).get(path)).headers['cache-control'], 'no-store');
    }
  });

  it('publishes the signing key and the encryption keys, public members only', async () => {
    const res = await request(harness.url).get('/.well-known/jwks.json');
    assert.equal(res.status, 200);
    const { keys } = res.body as { keys: Record<string, unknown>[] };
    assert.equal(keys.length, 1 + harness.keys.encryption.length);
    assert.deepEqual(keys[0], harness.keys.signing.publicJwk);
    assert.deepEqual(
      keys.map((key) => [key.kty, key.use]),
      [
        ['EC', 'sig'],
        ['EC', 'enc'],
        ['OKP', 'enc'],
      ],
    );
    for (const key of keys) {
      for (const member of PRIVATE_MEMBERS) assert.equal(member in key, false, `no ${member}`);
    }
  });

  it('answers the JWKS as application/jwk-set+json when asked', async () => {
    const res = await request(harness.url)
      .get('/.well-known/jwks.json')
      .set('Accept', 'application/jwk-set+json');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^application\/jwk-set\+json/);
  });

  it('answers OAuth error JSON, not an OperationOutcome, for a wrong media type at the token endpoint', async () => {
    const res = await request(harness.url)
      .post('/oauth2/token')
      .set('Content-Type', 'application/json')
      .send('{"grant_type":"client_credentials"}');
    assert.equal(res.status, 415);
    assert.equal((res.body as { error?: string }).error, 'invalid_request');
  });
});
