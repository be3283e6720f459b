// The story of the trust issue end to end: an operator signs in with two factors, registers a police
// station from its CSR, the station obtains a token with a real OAuth client using its certificate,
// reads the directory, and loses access when suspended or when its certificate is revoked.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle } from '@medplum/fhirtypes';
import { generateKeyPair, exportJWK } from 'jose';
import * as client from 'openid-client';
import type { TOTP } from 'otpauth';
import { URI } from 'otpauth';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { initNetworkPki } from '../../src/pki/index.js';
import { systemClock } from '../../src/kernel/index.js';
import { createTestServices, type TestServices } from '../support/test-app.js';
import { createCsrPem } from './auth/test-certificates.js';

// eslint-disable-next-line @typescript-eslint/no-deprecated -- the gateway under test listens on plain http at 127.0.0.1 only.
const LOOPBACK_HTTP = client.allowInsecureRequests;

const pemToX5c = (pem: string): string[] =>
  [...pem.matchAll(/-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/g)].map((m) =>
    (m[1] ?? '').replace(/\s+/g, ''),
  );

describe('joining the network', function () {
  this.timeout(60_000);
  let server: Server;
  let url: string;
  let test: TestServices;

  before(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    test = await createTestServices({
      env: { ENLACE_PUBLIC_URL: url },
      clock: systemClock,
      prepareDataDir: async (dataDir) => {
        await initNetworkPki({ dataDir, networkName: 'Red Enlace Prueba' });
      },
    });
    server.on('request', createApp({ ...test.services, authorize: test.capabilities.authorize }));
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await test.dispose();
  });

  async function signIn(username: string, role: 'operator' | 'auditor'): Promise<string> {
    const password = 'a long and memorable passphrase';
    const created = await test.capabilities.people.createPerson({ username, role, password });
    const totp = URI.parse(created.enrolmentUri) as TOTP;
    const login = await request(url).post('/auth/login').send({ username, password }).expect(200);
    const session = await request(url)
      .post('/auth/totp')
      .send({ mfa_token: (login.body as { mfa_token: string }).mfa_token, code: totp.generate() })
      .expect(200);
    return (session.body as { access_token: string }).access_token;
  }

  it('registers a partner by CSR and lets it call a protected route until suspended or revoked', async () => {
    const operator = await signIn('operadora', 'operator');

    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const csr = await createCsrPem(privateKey, await exportJWK(publicKey), 'ignored-by-the-ca');
    const registered = await request(url)
      .post('/admin/partners')
      .set('Authorization', `Bearer ${operator}`)
      .send({ id: 'comisaria-1', name: 'Comisaría Primera', role: 'police', csr })
      .expect(201);
    const { client_id: clientId, certificate } = registered.body as {
      client_id: string;
      certificate: string;
    };
    const chain = [
      ...pemToX5c(certificate),
      ...pemToX5c((await request(url).get('/pki/ca.pem')).text),
    ];
    assert.equal(chain.length, 3, 'leaf, issuing CA, root');

    const tokenEndpoint = `${url}/oauth2/token`;
    const config = await client.discovery(
      new URL(`${url}/fhir/.well-known/smart-configuration`),
      clientId,
      undefined,
      client.PrivateKeyJwt(privateKey, {
        [client.modifyAssertion]: (header, payload) => {
          // The certificate binds the key to the partner: no JWKS was registered.
          header.x5c = chain.slice(0, 2);
          payload.aud = tokenEndpoint;
        },
      }),
      { execute: [LOOPBACK_HTTP] },
    );
    const tokens = await client.clientCredentialsGrant(config, {
      scope: 'system/Organization.rs system/AuditEvent.rs',
    });
    assert.equal(tokens.scope, 'system/Organization.rs', 'police may not read AuditEvents');

    const directory = await request(url)
      .get('/fhir/Organization?type=police')
      .set('Authorization', `Bearer ${tokens.access_token}`)
      .expect(200);
    assert.deepEqual(
      (directory.body as Bundle).entry?.map((entry) => entry.resource?.id),
      ['comisaria-1'],
    );

    await request(url)
      .post('/admin/partners/comisaria-1/suspend')
      .set('Authorization', `Bearer ${operator}`)
      .expect(200);
    const refused = await request(url)
      .get('/fhir/Organization')
      .set('Authorization', `Bearer ${tokens.access_token}`);
    assert.equal(refused.status, 401);
    assert.match(String(refused.headers['www-authenticate']), /error="invalid_token"/);
    const audit = await test.store.audit.list({ limit: 1000 });
    const last = audit.at(-1)?.event;
    assert.ok(last);
    assert.equal(last.outcome, '4');
    assert.match(last.outcomeDesc ?? '', /ENLACE_TOKEN_INVALID/);

    await request(url)
      .post('/admin/partners/comisaria-1/activate')
      .set('Authorization', `Bearer ${operator}`)
      .expect(200);
    const certificates = await request(url)
      .get('/admin/certificates?partner=comisaria-1')
      .set('Authorization', `Bearer ${operator}`)
      .expect(200);
    const serial = (certificates.body as { certificates: { serial: string }[] }).certificates[0]
      ?.serial;
    await request(url)
      .post(`/admin/certificates/${serial ?? ''}/revoke`)
      .set('Authorization', `Bearer ${operator}`)
      .send({ reason: 'keyCompromise' })
      .expect(200);
    await assert.rejects(
      client.clientCredentialsGrant(config, { scope: 'system/Organization.rs' }),
      (err: unknown) => (err as { error?: string }).error === 'invalid_client',
    );
  });

  it('refuses operator routes to auditors and to anything but a session token', async () => {
    const auditor = await signIn('auditora', 'auditor');
    const forbidden = await request(url)
      .get('/admin/partners')
      .set('Authorization', `Bearer ${auditor}`);
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.text, /ENLACE_ROLE_INSUFFICIENT/);
    const garbage = await request(url).get('/admin/partners').set('Authorization', 'Bearer x.y.z');
    assert.equal(garbage.status, 401);
    const missing = await request(url).get('/admin/partners');
    assert.equal(missing.status, 401);
    assert.equal(missing.headers['www-authenticate'], 'Bearer realm="enlace"');
  });
});
