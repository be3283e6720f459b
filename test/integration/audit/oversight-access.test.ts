import assert from 'node:assert/strict';
import type { Bundle } from '@medplum/fhirtypes';
import request from 'supertest';
import { TOKEN_PATH } from '../../../src/auth/index.js';
import { registerTestPartner } from '../referrals/referral-fixtures.js';
import { testEngines } from '../../support/test-database.js';
import { startAttackNetwork, type AttackNetwork } from '../../security/attack-network.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

for (const engine of testEngines()) {
  describe(`an oversight body's system auditing by machine (${engine.name})`, function () {
    this.timeout(30_000);
    let net: AttackNetwork;

    before(async () => {
      net = await startAttackNetwork(engine);
    });
    after(() => net.dispose());

    async function tokenFor(
      partner: Parameters<AttackNetwork['assertion']>[0],
      scope: string,
      status: number,
    ): Promise<{ access_token: string; scope: string }> {
      const assertion = await net.assertion(partner);
      const res = await request(net.app)
        .post(TOKEN_PATH)
        .type('form')
        .send({
          grant_type: 'client_credentials',
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: assertion,
          scope,
        })
        .expect(status);
      return res.body as { access_token: string; scope: string };
    }

    it('is the only partner role granted system/AuditEvent.rs, and searches the log with it', async () => {
      const oversight = await registerTestPartner(net.store, 'agencia-datos', 'oversight');
      const body = await tokenFor(oversight, 'system/AuditEvent.rs', 200);
      assert.equal(body.scope, 'system/AuditEvent.rs');
      const res = await request(net.app)
        .get('/fhir/AuditEvent?_count=5')
        .set('Authorization', `Bearer ${body.access_token}`)
        .expect(200);
      assert.equal((res.body as Bundle).type, 'searchset');
      const recorded = (await net.auditSince((await net.auditCount()) - 1))[0];
      assert.equal(recorded?.agent[0]?.who?.reference, 'Organization/agencia-datos');
    });

    it('is refused to an institution of any other role', async () => {
      await tokenFor(net.police, 'system/AuditEvent.rs', 400);
      const police = await net.token(net.police);
      await request(net.app)
        .get('/fhir/AuditEvent')
        .set('Authorization', `Bearer ${police}`)
        .expect(403);
    });
  });
}
