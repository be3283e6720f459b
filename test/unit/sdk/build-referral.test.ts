// What the SDK builds from plain inputs conforms to the package's profiles, as the gateway's own validator reads them.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Bundle, ServiceRequest } from '@medplum/fhirtypes';
import { generateKeyPair } from 'jose';
import { signBundle } from '../../../src/crypto/index.js';
import { loadProfiles, PROFILE_URLS } from '../../../src/profiles/index.js';
import { buildConsent, buildReferral, type ReferralInput } from '../../../src/sdk/index.js';

const PROFILES = fileURLToPath(new URL('../../../profiles/', import.meta.url));
const NOW = new Date('2026-03-10T15:20:00.000Z');
const survivor = {
  system: 'https://registro.example.org/fhir/NamingSystem/cedula',
  value: '1.234.567-8',
};

const input: ReferralInput = {
  to: 'refugio-esperanza',
  survivor,
  consent: 'Consent/c-1/_history/2',
  purpose: 'shelter',
  risk: 'extreme',
  services: ['shelter', 'legal-aid'],
  violence: ['physical', 'digital'],
  summary: 'Needs a safe place tonight.',
  contact: { phone: '+598 99 123 456', email: 'ana@example.org' },
  birthDate: '1991',
};

describe('the SDK message builders', function () {
  this.timeout(30_000);
  const validator = loadProfiles(PROFILES);
  const parties = { sender: 'comisaria-norte', gateway: 'https://enlace.example.org' };

  it('builds a referral message the VawReferralMessage profile accepts once signed', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const built = buildReferral(input, parties, NOW);
    const signed: Bundle = await signBundle(
      built.bundle,
      { privateKey, alg: 'ES256', kid: 'k1' },
      { reference: 'Organization/comisaria-norte' },
      NOW,
    );
    assert.deepEqual(validator.validate(signed, PROFILE_URLS.referralMessage), []);
    const header = signed.entry?.[0]?.resource;
    assert.ok(header?.resourceType === 'MessageHeader');
    assert.equal(header.id, built.headerId);
    const service = signed.entry?.find((e) => e.resource?.resourceType === 'ServiceRequest')
      ?.resource as ServiceRequest;
    assert.equal(service.note?.[0]?.text, input.summary);
    assert.deepEqual(service.supportingInfo, [{ reference: input.consent, type: 'Consent' }]);
    assert.equal(service.priority, 'urgent', 'an extreme risk is urgent');
  });

  it('labels her contact details and the risk assessment, and nothing else', () => {
    const { bundle } = buildReferral(input, parties, NOW);
    const labels = (bundle.entry ?? []).map((entry) =>
      (entry.resource?.meta?.security ?? []).map((coding) => coding.code).join(','),
    );
    assert.deepEqual(labels, ['', '', '', '', 'contact-details', 'risk-assessment']);
    const copy: { -readonly [K in keyof ReferralInput]: ReferralInput[K] } = { ...input };
    delete copy.contact;
    const without = buildReferral(copy, parties, NOW);
    assert.equal(
      without.bundle.entry?.some((e) => e.resource?.resourceType === 'RelatedPerson'),
      false,
    );
  });

  it('refuses inputs the gateway would refuse, naming the mistake', () => {
    assert.throws(() => buildReferral({ ...input, services: [] }, parties, NOW), /service/);
    assert.throws(() => buildReferral({ ...input, violence: [] }, parties, NOW), /violence/);
    assert.throws(() => buildReferral({ ...input, summary: ' ' }, parties, NOW), /summary/);
    assert.throws(() => buildReferral({ ...input, consent: 'Patient/1' }, parties, NOW), /Consent/);
  });

  it('builds a consent the VawConsent profile accepts, for a kind of institution or one', () => {
    for (const actor of [{ role: 'shelter' as const }, { organization: 'refugio-esperanza' }]) {
      const consent = buildConsent(
        { survivor, actor, purposes: ['shelter'], dataClasses: ['contact-details'] },
        'comisaria-norte',
        NOW,
      );
      assert.deepEqual(validator.validate(consent, PROFILE_URLS.consent), []);
    }
  });
});
