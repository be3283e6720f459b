import assert from 'node:assert/strict';
import type { Provenance } from '@medplum/fhirtypes';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import {
  buildDecisionProvenance,
  verifyDecisionProvenance,
} from '../../../src/consent/obligations/decision-provenance.js';
import type { Decision } from '../../../src/consent/types.js';
import type { GatewayKey } from '../../../src/crypto/index.js';
import { request } from './consent-builders.js';

const decision: Decision = {
  outcome: 'permit',
  reliedOn: ['Consent/c1/_history/2', 'Consent/c2/_history/1'],
  permitted: ['police-report'],
  remove: ['location'],
  conflicts: [],
};

async function gatewayKey(): Promise<GatewayKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'test-kid', alg: 'ES256' };
  return { kid: 'test-kid', alg: 'ES256', use: 'sig', privateKey, publicJwk };
}

describe('decision Provenance', () => {
  let key: GatewayKey;
  let provenance: Provenance;
  before(async () => {
    key = await gatewayKey();
    provenance = await buildDecisionProvenance({
      decision,
      request: request(),
      targets: ['Task/t1', 'Bundle/b1'],
      recorded: new Date('2025-06-15T12:00:00Z'),
      signingKey: key,
    });
  });

  it('records targets, consents, purpose and the gateway as performer', () => {
    assert.deepEqual(provenance.target, [{ reference: 'Bundle/b1' }, { reference: 'Task/t1' }]);
    assert.deepEqual(provenance.policy, decision.reliedOn);
    assert.deepEqual(
      provenance.entity?.map((e) => [e.role, e.what.reference]),
      [
        ['source', 'Consent/c1/_history/2'],
        ['source', 'Consent/c2/_history/1'],
      ],
    );
    assert.equal(provenance.reason?.[0]?.coding?.[0]?.code, 'protection');
    assert.deepEqual(provenance.agent[0]?.who, { reference: 'Device/enlace-gateway' });
    assert.match(provenance.activity?.text ?? '', /^consent-check: permit/);
  });

  it('carries a source signature as a compact detached JWS with the gateway kid', () => {
    const signature = provenance.signature?.[0];
    assert.ok(signature !== undefined);
    assert.equal(signature.type[0]?.code, '1.2.840.10065.1.12.1.14');
    assert.equal(signature.sigFormat, 'application/jose');
    assert.equal(signature.who.reference, 'Device/enlace-gateway');
    const jws = Buffer.from(signature.data ?? '', 'base64').toString('utf8');
    const [header, payload] = jws.split('.');
    assert.equal(payload, '');
    assert.deepEqual(JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')), {
      alg: 'ES256',
      kid: 'test-kid',
    });
  });

  it('verifies with the gateway public key, also once a server adds id and meta', async () => {
    assert.equal(await verifyDecisionProvenance(provenance, key.publicJwk), true);
    const stored = { ...provenance, id: 'p1', meta: { versionId: '1' } };
    assert.equal(await verifyDecisionProvenance(stored, key.publicJwk), true);
  });

  it('fails when any signed field changed', async () => {
    const tampered: Provenance = { ...provenance, policy: ['Consent/c1/_history/2'] };
    assert.equal(await verifyDecisionProvenance(tampered, key.publicJwk), false);
    const retimed: Provenance = { ...provenance, recorded: '2025-06-15T12:00:01.000Z' };
    assert.equal(await verifyDecisionProvenance(retimed, key.publicJwk), false);
  });

  it('fails under another key', async () => {
    const other: JWK = (await gatewayKey()).publicJwk;
    assert.equal(await verifyDecisionProvenance(provenance, other), false);
  });

  it('fails without a signature or with a malformed one', async () => {
    const unsigned: Provenance = { ...provenance };
    delete unsigned.signature;
    assert.equal(await verifyDecisionProvenance(unsigned, key.publicJwk), false);
    const signature = provenance.signature?.[0];
    assert.ok(signature !== undefined);
    const attached = Buffer.from('e30.e30.e30').toString('base64');
    const broken: Provenance = { ...provenance, signature: [{ ...signature, data: attached }] };
    assert.equal(await verifyDecisionProvenance(broken, key.publicJwk), false);
  });
});
