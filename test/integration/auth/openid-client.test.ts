import assert from 'node:assert/strict';
import * as client from 'openid-client';
import request from 'supertest';
import {
  PROTECTED_PATH,
  startAuthHarness,
  type AuthHarness,
  type TestClient,
} from './auth-harness.js';

// eslint-disable-next-line @typescript-eslint/no-deprecated -- the gateway under test listens on plain http at 127.0.0.1 only.
const LOOPBACK_HTTP = client.allowInsecureRequests;

// openid-client is used exactly as it ships: its PrivateKeyJwt signs aud = the issuer identifier.
describe('a real OAuth client (openid-client 6) against the gateway', () => {
  let harness: AuthHarness;
  let partner: TestClient;

  before(async () => {
    harness = await startAuthHarness({ time: 'system' });
    partner = await harness.registerClient('health-1', { role: 'health' });
  });

  after(async () => {
    await harness.dispose();
  });

  it('discovers the SMART configuration, obtains a token and calls a protected route', async () => {
    const config = await client.discovery(
      new URL(`${harness.url}/fhir/.well-known/smart-configuration`),
      partner.clientId,
      undefined,
      client.PrivateKeyJwt({ key: partner.privateKey, kid: partner.kid }),
      { execute: [LOOPBACK_HTTP] },
    );
    assert.equal(config.serverMetadata().token_endpoint, harness.tokenEndpoint);
    const tokens = await client.clientCredentialsGrant(config, {
      scope: 'system/Task.rs system/Consent.d',
    });
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'system/Task.rs');
    assert.equal(tokens.expires_in, 300);

    const res = await request(harness.url)
      .get(PROTECTED_PATH)
      .set('Authorization', `Bearer ${tokens.access_token}`);
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body as { partnerId?: string }).partnerId, 'health-1');
  });

  it('discovers RFC 8414 metadata from the issuer too', async () => {
    const config = await client.discovery(
      new URL(harness.url),
      partner.clientId,
      undefined,
      client.PrivateKeyJwt({ key: partner.privateKey, kid: partner.kid }),
      { execute: [LOOPBACK_HTTP], algorithm: 'oauth2' },
    );
    const tokens = await client.clientCredentialsGrant(config, { scope: 'system/Task.rs' });
    assert.equal(typeof tokens.access_token, 'string');
  });

  it('is refused as invalid_client when it signs with an unregistered key', async () => {
    const { privateKey } = await crypto.subtle.generateKey(
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['sign', 'verify'],
    );
    const config = await client.discovery(
      new URL(`${harness.url}/fhir/.well-known/smart-configuration`),
      partner.clientId,
      undefined,
      client.PrivateKeyJwt({ key: privateKey, kid: partner.kid }),
      { execute: [LOOPBACK_HTTP] },
    );
    await assert.rejects(
      client.clientCredentialsGrant(config, { scope: 'system/Task.rs' }),
      (error: unknown) =>
        error instanceof client.ResponseBodyError &&
        error.error === 'invalid_client' &&
        error.status === 401,
    );
  });
});
