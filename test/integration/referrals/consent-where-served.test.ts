import assert from 'node:assert/strict';
import type { Bundle, Consent } from '@medplum/fhirtypes';
import request from 'supertest';
import { assertOutcome } from '../../support/outcome.js';
import {
  createReferralNetwork,
  SURVIVOR_ID_SYSTEM,
  type ReferralNetwork,
} from './referral-fixtures.js';

const revocation = [
  { op: 'replace', path: '/status', value: 'inactive' },
  {
    op: 'add',
    path: '/extension/-',
    value: {
      url: 'https://enlace.example.org/fhir/StructureDefinition/revocation-reason',
      valueString: 'She withdrew consent at the shelter.',
    },
  },
];

describe('withdrawing consent wherever she is served', () => {
  let network: ReferralNetwork;
  const survivorId = '3.141.592-6';

  beforeEach(async () => {
    network = await createReferralNetwork();
    await network.recordConsent(survivorId);
    const { jwe } = await network.referral(network.police, network.shelter, { survivorId });
    await request(network.app)
      .post('/fhir/$process-message')
      .set('Authorization', 'Bearer police-central')
      .set('Content-Type', 'application/jose')
      .send(jwe)
      .expect(200);
  });
  afterEach(() => network.dispose());

  async function consentId(): Promise<string> {
    const found = await request(network.app)
      .get(`/fhir/Consent?patient=${encodeURIComponent(`${SURVIVOR_ID_SYSTEM}|${survivorId}`)}`)
      .set('Authorization', 'Bearer police-central')
      .expect(200);
    const id = (found.body as Bundle<Consent>).entry?.at(0)?.resource?.id;
    assert.ok(id);
    return id;
  }

  it('lets the shelter holding her open referral read and revoke the consent the police recorded', async () => {
    const id = await consentId();
    await request(network.app)
      .get(`/fhir/Consent/${id}`)
      .set('Authorization', 'Bearer casa-refugio')
      .expect(200);
    const revoked = await request(network.app)
      .patch(`/fhir/Consent/${id}`)
      .set('Authorization', 'Bearer casa-refugio')
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify(revocation))
      .expect(200);
    assert.equal((revoked.body as Consent).status, 'inactive');
    // The shelter received her data under this consent and was sent a notice; it is counted, not named.
    assert.equal(revoked.headers['enlace-notified-institutions'], '1');
    assert.doesNotMatch(JSON.stringify(revoked.headers), /casa-refugio/);
  });

  it('answers 404 to an institution that neither recorded it nor serves her', async () => {
    const id = await consentId();
    const res = await request(network.app)
      .patch(`/fhir/Consent/${id}`)
      .set('Authorization', 'Bearer juzgado-familia')
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify(revocation));
    assertOutcome(res, { status: 404, issue: 'not-found', code: 'ENLACE_RESOURCE_NOT_FOUND' });
  });
});
