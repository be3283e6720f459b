// `enlace pki init` on the data directory of a running gateway takes effect from the next request, without a restart; so does a replacement with --force.
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { isGatewayError, systemClock, type Authorizer } from '../../../src/kernel/index.js';
import { initNetworkPki } from '../../../src/pki/index.js';
import { assertOutcome } from '../../support/outcome.js';
import { createTestServices, type TestServices } from '../../support/test-app.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';
import { createCsrPem } from '../auth/test-certificates.js';

const operatorOnly: Authorizer = () =>
  Promise.resolve({
    kind: 'person',
    userId: 'u1',
    username: 'ana',
    role: 'operator',
    tokenId: 'session-1',
  });

const base64Of = (pem: string): string =>
  pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');

for (const engine of testEngines()) {
  describe(`pki init on a running gateway (${engine.name})`, function () {
    this.timeout(60_000);
    let database: TestDatabase;
    let test: TestServices;
    let app: ReturnType<typeof createApp>;

    beforeEach(async () => {
      database = await engine.create();
      test = await createTestServices({
        env: database.env,
        clock: systemClock,
        authorize: operatorOnly,
      });
      app = createApp(test.services);
    });
    afterEach(async () => {
      try {
        await test.dispose();
      } finally {
        await database.drop();
      }
    });

    const registerByCsr = async (id: string) => {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const csr = await createCsrPem(privateKey, await exportJWK(publicKey), 'ignored');
      return request(app)
        .post('/admin/partners')
        .set('Authorization', 'Bearer operator')
        .send({ id, name: `Partner ${id}`, role: 'health', csr });
    };

    it('serves, issues from and validates against a CA created after the gateway started', async () => {
      assertOutcome(await request(app).get('/pki/ca.pem'), {
        status: 404,
        issue: 'not-found',
        code: 'ENLACE_PKI_NOT_INITIALIZED',
      });
      assertOutcome(await registerByCsr('salud-1'), {
        status: 400,
        issue: 'invalid',
        code: 'ENLACE_PARTNER_INVALID',
      });

      const first = await initNetworkPki({ dataDir: test.dataDir, networkName: 'Red Viva' });
      const chain = await request(app).get('/pki/ca.pem').expect(200);
      assert.deepEqual(
        [...chain.text.matchAll(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g)].map(
          (match) => base64Of(match[0]),
        ),
        [base64Of(first.issuingCertPem), base64Of(first.rootCertPem)],
      );
      await request(app).get('/pki/crl').expect(200);
      const registered = await registerByCsr('salud-1');
      assert.equal(registered.status, 201, registered.text);
      const certificate = (registered.body as { certificate: string }).certificate;
      const x5c = [base64Of(certificate), base64Of(first.issuingCertPem)];
      const validated = await test.services.pki.validateCertificateChain(x5c, new Date());
      assert.equal(validated.partnerId, 'salud-1');

      // Replaced with --force: the new chain is served and the old CA's certificates stop validating.
      const second = await initNetworkPki({
        dataDir: test.dataDir,
        networkName: 'Red Renovada',
        force: true,
      });
      const replaced = await request(app).get('/pki/ca.pem').expect(200);
      assert.ok(replaced.text.includes(second.issuingCertPem.trim()));
      assert.ok(!replaced.text.includes(first.issuingCertPem.trim()));
      await assert.rejects(
        test.services.pki.validateCertificateChain(x5c, new Date()),
        (error) => isGatewayError(error) && error.code === 'ENLACE_CERTIFICATE_INVALID',
      );
    });
  });
}
