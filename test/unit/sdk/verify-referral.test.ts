// A delivered referral is believed only as far as signatures carry it: the gateway's decision over the whole
// delivery, and the sender's over its message; checked here on collections the gateway's own builder makes.
import assert from 'node:assert/strict';
import type { Bundle } from '@medplum/fhirtypes';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { signDecisionProvenance } from '../../../src/consent/obligations/index.js';
import type { Decision, DecisionRequest } from '../../../src/consent/types.js';
import { signBundle, type GatewayKey } from '../../../src/crypto/index.js';
import { buildDeliveryBundle } from '../../../src/referrals/retrieval/build-delivery-bundle.js';
import {
  buildReferral,
  EnlaceVerificationError,
  type ReferralInput,
} from '../../../src/sdk/index.js';
import type { GatewayKeys } from '../../../src/sdk/trust/gateway-keys.js';
import type { SenderKeys } from '../../../src/sdk/trust/sender-keys.js';
import { verifyReferral } from '../../../src/sdk/verify/verify-referral.js';

const AT = new Date('2026-03-10T15:20:00.000Z');
const input: ReferralInput = {
  to: 'refugio-esperanza',
  survivor: { system: 'https://registro.example.org/fhir/NamingSystem/cedula', value: '1-2' },
  consent: 'Consent/c-1/_history/1',
  purpose: 'shelter',
  risk: 'high',
  services: ['shelter'],
  violence: ['physical'],
  summary: 'Needs a safe place tonight.',
  contact: { phone: '+598 99 123 456' },
};
const request: DecisionRequest = {
  survivor: ['k1.pseudonym'],
  actor: { organization: 'refugio-esperanza', role: 'shelter' },
  purpose: 'shelter',
  dataClasses: ['contact-details', 'risk-assessment'],
  at: AT,
};
const permitAll: Decision = {
  outcome: 'permit',
  reliedOn: ['Consent/c-1/_history/1'],
  permitted: ['contact-details', 'risk-assessment'],
  remove: [],
  conflicts: [],
};

const rejectsAs = (check: string) => (error: unknown) =>
  error instanceof EnlaceVerificationError && error.check === check;

describe('the SDK’s verification of a delivered referral', () => {
  let gateway: GatewayKey;
  let sender: { privateKey: CryptoKey; publicKey: CryptoKey };
  let gatewayKeys: GatewayKeys;
  let senderKeys: SenderKeys;

  before(async () => {
    const gw = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = { ...(await exportJWK(gw.publicKey)), kid: 'gw-1', alg: 'ES256', use: 'sig' };
    gateway = { kid: 'gw-1', alg: 'ES256', use: 'sig', privateKey: gw.privateKey, publicJwk };
    const pair = await generateKeyPair('ES256', { extractable: true });
    sender = pair;
    gatewayKeys = {
      signatureJwk: (kid) =>
        kid === 'gw-1' ? Promise.resolve(publicJwk) : Promise.reject(new Error('unknown kid')),
      encryptionJwk: () => Promise.reject(new Error('not used')),
      resolver: () => Promise.reject(new Error('not used')),
    };
    // Only comisaria-norte's registered key `s1` is known.
    senderKeys = {
      resolverFor: (partner) => (key) =>
        partner === 'comisaria-norte' && key.kid === 's1'
          ? Promise.resolve({ key: sender.publicKey, info: { kind: 'registered-key', kid: 's1' } })
          : Promise.reject(new Error('no such key')),
    };
  });

  const message = async (who = 'comisaria-norte', signed = true): Promise<Bundle> => {
    const { bundle } = buildReferral(
      input,
      { sender: 'comisaria-norte', gateway: 'https://gw' },
      AT,
    );
    if (!signed) return bundle;
    return signBundle(
      bundle,
      { privateKey: sender.privateKey, alg: 'ES256', kid: 's1' },
      { reference: `Organization/${who}` },
      AT,
    );
  };
  const deliver = async (content: Bundle, decision = permitAll, key = gateway): Promise<Bundle> =>
    signDecisionProvenance(buildDeliveryBundle(content, decision, request, AT).bundle, key, AT);
  const verify = (delivery: Bundle, me = 'refugio-esperanza') =>
    verifyReferral(delivery, { gatewayKeys, senderKeys, me, now: AT });

  it('accepts a genuine delivery and reads it back', async () => {
    const verified = await verify(await deliver(await message()));
    assert.deepEqual(verified.senderKey, { kind: 'registered-key', kid: 's1' });
    assert.equal(verified.redacted, false);
    assert.equal(verified.content.summary, input.summary);
    assert.deepEqual(verified.content.contact, { phone: '+598 99 123 456' });
    assert.deepEqual(verified.reliedOn, ['Consent/c-1/_history/1']);
  });

  it('refuses a delivery changed after the gateway signed its decision', async () => {
    const delivery = await deliver(await message());
    const text = JSON.stringify(delivery).replace('Needs a safe place tonight.', 'Nothing urgent.');
    await assert.rejects(verify(JSON.parse(text) as Bundle), rejectsAs('provenance'));
  });

  it('refuses a decision signed by a key the gateway does not publish', async () => {
    const other = await generateKeyPair('ES256', { extractable: true });
    const impostor = { ...gateway, privateKey: other.privateKey };
    await assert.rejects(
      verify(await deliver(await message(), permitAll, impostor)),
      rejectsAs('provenance'),
    );
  });

  it('refuses a referral addressed to another institution', async () => {
    await assert.rejects(verify(await deliver(await message()), 'casa-luz'), rejectsAs('referral'));
  });

  it('refuses an unsigned message when nothing was removed', async () => {
    await assert.rejects(
      verify(await deliver(await message('comisaria-norte', false))),
      rejectsAs('sender-signature'),
    );
  });

  it('refuses a signature that claims another institution', async () => {
    await assert.rejects(
      verify(await deliver(await message('juzgado-familia'))),
      rejectsAs('sender-signature'),
    );
  });

  it('says when consent removed data and the sender’s signature went with it', async () => {
    const partial: Decision = {
      ...permitAll,
      permitted: ['risk-assessment'],
      remove: ['contact-details'],
    };
    const verified = await verify(await deliver(await message(), partial));
    assert.equal(verified.redacted, true);
    assert.equal(verified.senderKey, undefined);
    assert.equal(verified.content.contact, undefined);
    assert.equal(verified.content.risk, 'high');
  });
});
