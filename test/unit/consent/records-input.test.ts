import assert from 'node:assert/strict';
import { checkConsentInput } from '../../../src/consent/records/check-consent-input.js';
import {
  canRevokeConsent,
  canSeeConsent,
} from '../../../src/consent/records/consent-visibility.js';
import type { ConsentRecord } from '../../../src/consent/records/index.js';
import { readIfMatch } from '../../../src/consent/records/read-if-match.js';
import { readRevocationPatch } from '../../../src/consent/records/read-revocation-patch.js';
import { GatewayError } from '../../../src/kernel/index.js';

const REASON_URL = 'https://enlace.example.org/fhir/StructureDefinition/revocation-reason';

const base = {
  resourceType: 'Consent',
  status: 'active',
  scope: {
    coding: [
      { system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' },
    ],
  },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  patient: { identifier: { system: 'https://registro.example.gov/cedula', value: '123' } },
  dateTime: '2025-03-01',
  provision: { type: 'permit' },
};

function refusal(run: () => unknown, code: string, expression?: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof GatewayError);
    assert.equal(error.code, code);
    if (expression !== undefined) assert.deepEqual(error.expression, [expression]);
    return true;
  });
}

describe('consent input checks', () => {
  it('returns the consent without patient or meta, recorded by the caller', () => {
    const input = checkConsentInput(
      {
        ...base,
        meta: { profile: ['https://enlace.example.org/fhir/StructureDefinition/VawConsent'] },
      },
      'police-central',
    );
    assert.deepEqual(input.identifier, {
      system: 'https://registro.example.gov/cedula',
      value: '123',
    });
    assert.equal('patient' in input.consent, false);
    assert.equal('meta' in input.consent, false);
    assert.deepEqual(input.consent.performer, [{ reference: 'Organization/police-central' }]);
    assert.deepEqual(input.consent.organization, [{ reference: 'Organization/police-central' }]);
  });

  it('collects the partner ids named as actors, with where they are named', () => {
    const input = checkConsentInput(
      {
        ...base,
        provision: {
          type: 'deny',
          provision: [
            { type: 'permit', actor: [{ reference: { reference: 'Organization/casa-luz' } }] },
          ],
        },
      },
      'police-central',
    );
    assert.deepEqual(
      [...input.actorOrganizations],
      [['casa-luz', 'Consent.provision.provision[0].actor[0].reference.reference']],
    );
  });

  it('refuses what it cannot attribute, evaluate or trust, naming where', () => {
    refusal(() => checkConsentInput([], 'p'), 'ENLACE_CONSENT_INVALID', 'Consent');
    refusal(
      () => checkConsentInput({ ...base, scope: undefined }, 'p'),
      'ENLACE_CONSENT_INVALID',
      'Consent.scope',
    );
    refusal(
      () => checkConsentInput({ ...base, category: [] }, 'p'),
      'ENLACE_CONSENT_INVALID',
      'Consent.category',
    );
    refusal(
      () => checkConsentInput({ ...base, dateTime: '2025-13-01' }, 'p'),
      'ENLACE_CONSENT_INVALID',
      'Consent.dateTime',
    );
    refusal(
      () => checkConsentInput({ ...base, provision: undefined }, 'p'),
      'ENLACE_CONSENT_INVALID',
      'Consent.provision',
    );
    refusal(
      () => checkConsentInput({ ...base, provision: { type: 'maybe' } }, 'p'),
      'ENLACE_CONSENT_INVALID',
      'Consent.provision.type',
    );
    refusal(
      () =>
        checkConsentInput({ ...base, provision: { type: 'permit', code: [{ text: 'x' }] } }, 'p'),
      'ENLACE_CONSENT_INVALID',
      'Consent.provision.code',
    );
    refusal(
      () =>
        checkConsentInput(
          {
            ...base,
            patient: {
              identifier: {
                system: 'https://enlace.example.org/fhir/NamingSystem/survivor-pseudonym',
                value: 'k1.x',
              },
            },
          },
          'p',
        ),
      'ENLACE_CONSENT_SURVIVOR_UNIDENTIFIED',
      'Consent.patient.identifier.system',
    );
    refusal(
      () =>
        checkConsentInput(
          {
            ...base,
            provision: { type: 'permit', securityLabel: [{ system: 'http://other', code: 'R' }] },
          },
          'p',
        ),
      'ENLACE_CONSENT_CODE_UNKNOWN',
      'Consent.provision.securityLabel[0].system',
    );
    refusal(
      () =>
        checkConsentInput(
          { ...base, provision: { type: 'permit', actor: Array.from({ length: 33 }, () => ({})) } },
          'p',
        ),
      'ENLACE_CONSENT_TOO_COMPLEX',
      'Consent.provision.actor',
    );
    refusal(
      () => checkConsentInput({ ...base, provision: { type: 'permit', actor: [{}] } }, 'p'),
      'ENLACE_CONSENT_INVALID',
      'Consent.provision.actor[0]',
    );
  });
});

describe('revocation patches', () => {
  const status = { op: 'replace', path: '/status', value: 'inactive' };
  const reason = (text: string) => ({
    op: 'add',
    path: '/extension/-',
    value: { url: REASON_URL, valueString: text },
  });

  it('reads the reason of a revocation, in either add form', () => {
    assert.equal(readRevocationPatch([status, reason('  asked to stop  ')]), 'asked to stop');
    assert.equal(
      readRevocationPatch([
        { op: 'add', path: '/extension', value: [{ url: REASON_URL, valueString: 'gone' }] },
        status,
      ]),
      'gone',
    );
  });

  it('refuses every other change', () => {
    refusal(() => readRevocationPatch({}), 'ENLACE_CONSENT_PATCH_INVALID');
    refusal(
      () => readRevocationPatch([status, reason('one'), reason('two')]),
      'ENLACE_CONSENT_PATCH_UNSUPPORTED',
    );
    refusal(
      () => readRevocationPatch([status, { op: 'remove', path: '/provision' }]),
      'ENLACE_CONSENT_PATCH_UNSUPPORTED',
    );
    refusal(() => readRevocationPatch([reason('only a reason')]), 'ENLACE_CONSENT_PATCH_INVALID');
    refusal(
      () => readRevocationPatch([status, reason('x'.repeat(501))]),
      'ENLACE_CONSENT_PATCH_INVALID',
    );
  });
});

describe('If-Match', () => {
  it('reads weak and strong version ETags and refuses anything else', () => {
    assert.equal(readIfMatch(undefined), undefined);
    assert.equal(readIfMatch('W/"3"'), 3);
    assert.equal(readIfMatch('"12"'), 12);
    refusal(() => readIfMatch('*'), 'ENLACE_INVALID_PARAMETER', 'If-Match');
    refusal(() => readIfMatch(['W/"1"', 'W/"2"']), 'ENLACE_INVALID_PARAMETER', 'If-Match');
  });
});

describe('who sees and who revokes', () => {
  const record = (provision: object): ConsentRecord => ({
    id: 'c1',
    version: 1,
    pseudonym: 'k1.x',
    keyId: 'k1',
    status: 'active',
    recorder: 'police-central',
    recordedAt: '2025-03-01T00:00:00Z',
    updatedAt: '2025-03-01T00:00:00Z',
    resource: {
      resourceType: 'Consent',
      status: 'active',
      scope: {},
      category: [],
      provision,
    } as never,
  });
  const consent = record({
    type: 'deny',
    provision: [
      { type: 'permit', actor: [{ reference: { reference: 'Organization/casa-refugio' } }] },
      { type: 'deny', actor: [{ reference: { reference: 'Organization/hospital-sur' } }] },
    ],
  });

  it('shows the consent to its recorder and named institutions only', () => {
    assert.equal(canSeeConsent(consent, 'police-central'), true);
    assert.equal(canSeeConsent(consent, 'casa-refugio'), true);
    assert.equal(canSeeConsent(consent, 'hospital-sur'), true);
    assert.equal(canSeeConsent(consent, 'casa-luz'), false);
  });

  it('lets the recorder and permitted institutions revoke, not one named only to be denied', () => {
    assert.equal(canRevokeConsent(consent, 'police-central'), true);
    assert.equal(canRevokeConsent(consent, 'casa-refugio'), true);
    assert.equal(canRevokeConsent(consent, 'hospital-sur'), false);
    assert.equal(canRevokeConsent(consent, 'casa-luz'), false);
  });
});
