// A recipient verifies the sender's signature on a referral with nothing but what the gateway publishes: the sender's JWKS at /partners/{id}/jwks.json.
import assert from 'node:assert/strict';
import type { Bundle } from '@medplum/fhirtypes';
import canonicalize from 'canonicalize';
import { compactDecrypt, compactVerify, createLocalJWKSet, type JWK } from 'jose';
import request from 'supertest';
import { startAttackNetwork, type AttackNetwork } from '../../security/attack-network.js';
import { assertOutcome } from '../../support/outcome.js';
import { testEngines } from '../../support/test-database.js';

const JWKS_PATH = '/partners/police-central/jwks.json';

for (const engine of testEngines()) {
  describe(`partners' published signing keys (${engine.name})`, function () {
    this.timeout(60_000);
    let network: AttackNetwork;

    beforeEach(async () => {
      network = await startAttackNetwork(engine);
    });
    afterEach(() => network.dispose());

    it('lets the shelter verify the police signature on the referral it received, by kid, with the published JWKS', async () => {
      const id = await network.submitReferral(network.police, network.shelter);
      const shelterToken = await network.token(network.shelter);

      const retrieved = await request(network.app)
        .get(`/fhir/Bundle/${id}`)
        .set('Authorization', `Bearer ${shelterToken}`)
        .set('Accept', 'application/jose')
        .expect(200);
      const { plaintext } = await compactDecrypt(
        retrieved.text,
        network.shelter.encryption.privateKey,
      );
      const delivered = JSON.parse(new TextDecoder().decode(plaintext)) as Bundle;
      const message = delivered.entry?.[0]?.resource as Bundle;
      assert.ok(message.signature);
      assert.equal(message.signature.who.reference, 'Organization/police-central');

      const published = await request(network.app)
        .get(JWKS_PATH)
        .set('Authorization', `Bearer ${shelterToken}`)
        .expect(200);
      assert.match(String(published.headers['cache-control']), /^private, max-age=\d+$/);
      const jwks = published.body as { keys: JWK[] };
      assert.deepEqual(
        jwks.keys.map((key) => key.kid),
        [network.police.signer.kid],
      );
      for (const key of jwks.keys) {
        assert.deepEqual(Object.keys(key).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      }

      // The recipient's own check, with a JOSE library and the JCS reference implementation only:
      // the detached JWS of Bundle.signature over the canonical Bundle without its signature.
      const jws = Buffer.from(message.signature.data ?? '', 'base64').toString('ascii');
      const [header, detached, signature] = jws.split('.');
      assert.equal(detached, '');
      const { signature: omitted, ...unsigned } = message;
      assert.ok(omitted);
      const payload = Buffer.from(canonicalize(unsigned) ?? '', 'utf8').toString('base64url');
      const verified = await compactVerify(
        `${header ?? ''}.${payload}.${signature ?? ''}`,
        createLocalJWKSet(jwks),
        { algorithms: ['ES256'] },
      );
      assert.equal(verified.protectedHeader.kid, network.police.signer.kid);

      // A tampered copy does not verify with the same published key.
      const tampered = Buffer.from(
        canonicalize({ ...unsigned, timestamp: '2025-03-12T11:59:01Z' }) ?? '',
        'utf8',
      ).toString('base64url');
      await assert.rejects(
        compactVerify(`${header ?? ''}.${tampered}.${signature ?? ''}`, createLocalJWKSet(jwks)),
      );
    });

    it('records who read a partner’s keys, and refuses callers without a token and unknown partners', async () => {
      const token = await network.token(network.shelter);
      const before = await network.auditCount();
      await request(network.app).get(JWKS_PATH).set('Authorization', `Bearer ${token}`).expect(200);
      const [read] = await network.auditSince(before);
      assert.equal(read?.entity?.[0]?.what?.reference, 'Organization/police-central');
      assert.equal(read.agent[0]?.who?.reference, 'Organization/casa-refugio');

      const anonymous = await request(network.app).get(JWKS_PATH);
      assert.equal(anonymous.status, 401);
      assertOutcome(
        await request(network.app)
          .get('/partners/nobody/jwks.json')
          .set('Authorization', `Bearer ${token}`),
        { status: 404, issue: 'not-found', code: 'ENLACE_PARTNER_NOT_FOUND' },
      );
    });
  });
}
