import assert from 'node:assert/strict';
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
