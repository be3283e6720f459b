import assert from 'node:assert/strict';
import type { Consent } from '@medplum/fhirtypes';
import request from 'supertest';
import { DATA_CLASS_SYSTEM, PURPOSE_SYSTEM } from '../../../src/consent/types.js';
import { ORGANIZATION_ROLE_SYSTEM } from '../../../src/partners/index.js';
import { assertOutcome, type ExpectedOutcome } from '../../support/outcome.js';
import {
  consentBody,
  createConsentApp,
  NATIONAL_ID_SYSTEM,
  revocationPatch,
  type ConsentApp,
} from './consent-app.js';

const permit = (extra: Record<string, unknown>) => ({ type: 'permit', ...extra });

describe('consent refusals: each answered precisely and audited', () => {
  let gateway: ConsentApp;

  beforeEach(async () => {
    gateway = await createConsentApp();
  });
  afterEach(() => gateway.dispose());

  /** Sends, checks the OperationOutcome and its expression, and checks the refusal was audited. */
  async function refused(
    send: () => request.Test,
    expected: ExpectedOutcome,
    expression?: string,
  ): Promise<void> {
    const before = await gateway.store.audit.count();
    const outcome = assertOutcome(await send(), expected);
    if (expression !== undefined) assert.deepEqual(outcome.issue[0]?.expression, [expression]);
    const records = await gateway.store.audit.list({ afterSeq: before });
    assert.equal(records.length, 1, 'exactly the refusal is audited');
    const event = records[0]?.event;
    assert.equal(event?.outcome, '4');
    assert.match(event.outcomeDesc ?? '', new RegExp(`^${expected.code}:`));
    assert.doesNotMatch(JSON.stringify(event), /2345/);
    assert.equal(
      await gateway.store.db
        .selectFrom('consent')
        .selectAll()
        .execute()
        .then((r) => r.length),
      0,
    );
  }

  const post = (body: unknown) => () =>
    request(gateway.app)
      .post('/fhir/Consent')
      .set('Authorization', 'Bearer police-central')
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(body));

  const invalid = { status: 400, issue: 'invalid', code: 'ENLACE_CONSENT_INVALID' };
  const unknownCode = { status: 400, issue: 'value', code: 'ENLACE_CONSENT_CODE_UNKNOWN' };

  it('refuses a consent whose survivor cannot be identified', async () => {
    const unidentified = {
      status: 400,
      issue: 'required',
      code: 'ENLACE_CONSENT_SURVIVOR_UNIDENTIFIED',
    };
    await refused(
      post(consentBody({ patient: undefined })),
      unidentified,
      'Consent.patient.identifier',
    );
    await refused(
      post(consentBody({ patient: { identifier: { system: NATIONAL_ID_SYSTEM } } })),
      unidentified,
      'Consent.patient.identifier.value',
    );
    await refused(
      post(consentBody({ patient: { identifier: { value: '1-2345-6789' } } })),
      unidentified,
      'Consent.patient.identifier.system',
    );
    await refused(
      post(consentBody({ patient: { reference: 'Patient/123' } })),
      unidentified,
      'Consent.patient.identifier',
    );
  });

  it('refuses a name beside the identifier rather than storing it', async () => {
    await refused(
      post(
        consentBody({
          patient: {
            identifier: { system: NATIONAL_ID_SYSTEM, value: '1-2345-6789' },
            display: 'María',
          },
        }),
      ),
      invalid,
      'Consent.patient.display',
    );
  });

  it('refuses client-set id, meta.versionId and meta.lastUpdated, naming the field', async () => {
    const owned = { status: 400, issue: 'invalid', code: 'ENLACE_CONSENT_SERVER_OWNED_FIELD' };
    await refused(post(consentBody({ id: 'mine' })), owned, 'Consent.id');
    await refused(post(consentBody({ meta: { versionId: '7' } })), owned, 'Consent.meta.versionId');
    await refused(
      post(consentBody({ meta: { lastUpdated: '2025-01-01T00:00:00Z' } })),
      owned,
      'Consent.meta.lastUpdated',
    );
  });

  it('refuses an unknown role, purpose, emergency purpose and data class where they stand', async () => {
    const provision = (inner: Record<string, unknown>) =>
      consentBody({ provision: { type: 'deny', provision: [permit(inner)] } });
    await refused(
      post(
        provision({
          actor: [{ role: { coding: [{ system: ORGANIZATION_ROLE_SYSTEM, code: 'pirates' }] } }],
        }),
      ),
      unknownCode,
      'Consent.provision.provision[0].actor[0].role.coding[0].code',
    );
    await refused(
      post(provision({ purpose: [{ system: PURPOSE_SYSTEM, code: 'marketing' }] })),
      unknownCode,
      'Consent.provision.provision[0].purpose[0].code',
    );
    await refused(
      post(provision({ purpose: [{ system: PURPOSE_SYSTEM, code: 'emergency' }] })),
      { status: 400, issue: 'business-rule', code: 'ENLACE_CONSENT_PURPOSE_NOT_CONSENTABLE' },
      'Consent.provision.provision[0].purpose[0].code',
    );
    await refused(
      post(
        provision({
          class: [
            { system: DATA_CLASS_SYSTEM, code: 'location' },
            { system: DATA_CLASS_SYSTEM, code: 'diary' },
          ],
        }),
      ),
      unknownCode,
      'Consent.provision.provision[0].class[1].code',
    );
    await refused(
      post(provision({ actor: [{ reference: { reference: 'Organization/nobody' } }] })),
      { status: 400, issue: 'value', code: 'ENLACE_CONSENT_ACTOR_UNKNOWN' },
      'Consent.provision.provision[0].actor[0].reference.reference',
    );
  });

  it('refuses a period that ends before it starts, a draft, and another institution as recorder', async () => {
    await refused(
      post(
        consentBody({
          provision: { type: 'permit', period: { start: '2025-06-01', end: '2025-05-01' } },
        }),
      ),
      invalid,
      'Consent.provision.period.end',
    );
    await refused(post(consentBody({ status: 'draft' })), invalid, 'Consent.status');
    await refused(
      post(consentBody({ performer: [{ reference: 'Organization/casa-luz' }] })),
      invalid,
      'Consent.performer[0]',
    );
    await refused(post(consentBody({ resourceType: 'Patient' })), invalid, 'Consent.resourceType');
    await refused(
      post(consentBody({ text: { status: 'generated', div: '<div/>' } })),
      invalid,
      'Consent.text',
    );
  });

  it('refuses provision trees nested too deep', async () => {
    let provision: Record<string, unknown> = { type: 'permit' };
    for (let depth = 0; depth < 4; depth += 1) provision = { type: 'deny', provision: [provision] };
    await refused(
      post(consentBody({ provision })),
      { status: 400, issue: 'too-costly', code: 'ENLACE_CONSENT_TOO_COMPLEX' },
      'Consent.provision.provision[0].provision[0].provision[0]',
    );
  });

  describe('revocation', () => {
    let id: string;

    beforeEach(async () => {
      const res = await request(gateway.app)
        .post('/fhir/Consent')
        .set('Authorization', 'Bearer police-central')
        .set('Content-Type', 'application/fhir+json')
        .send(JSON.stringify(consentBody()))
        .expect(201);
      id = (res.body as Consent).id ?? '';
    });

    async function refusedPatch(
      caller: string,
      body: unknown,
      expected: ExpectedOutcome,
      headers: Record<string, string> = {},
    ): Promise<void> {
      const before = await gateway.store.audit.count();
      let call = request(gateway.app)
        .patch(`/fhir/Consent/${id}`)
        .set('Authorization', `Bearer ${caller}`)
        .set('Content-Type', 'application/json-patch+json');
      for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
      assertOutcome(await call.send(JSON.stringify(body)), expected);
      const records = await gateway.store.audit.list({ afterSeq: before });
      assert.equal(records.length, 1);
      assert.equal(records[0]?.event.outcome, '4');
      assert.equal(records[0].event.subtype?.[0]?.code, 'patch');
      const row = await gateway.store.db
        .selectFrom('consent')
        .select(['version', 'status'])
        .executeTakeFirstOrThrow();
      assert.deepEqual([row.version, row.status], [1, 'active']);
    }

    it('answers 404 to an institution that cannot see the consent', async () => {
      await refusedPatch('casa-luz', revocationPatch(), {
        status: 404,
        issue: 'not-found',
        code: 'ENLACE_RESOURCE_NOT_FOUND',
      });
    });

    it('answers 403 to an institution named only to be denied', async () => {
      const res = await request(gateway.app)
        .post('/fhir/Consent')
        .set('Authorization', 'Bearer police-central')
        .set('Content-Type', 'application/fhir+json')
        .send(
          JSON.stringify(
            consentBody({
              provision: {
                type: 'deny',
                actor: [{ reference: { reference: 'Organization/hospital-sur' } }],
              },
            }),
          ),
        )
        .expect(201);
      const denied = (res.body as Consent).id ?? '';
      await request(gateway.app)
        .get(`/fhir/Consent/${denied}`)
        .set('Authorization', 'Bearer hospital-sur')
        .expect(200);
      const outcome = await request(gateway.app)
        .patch(`/fhir/Consent/${denied}`)
        .set('Authorization', 'Bearer hospital-sur')
        .set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify(revocationPatch()));
      assertOutcome(outcome, {
        status: 403,
        issue: 'forbidden',
        code: 'ENLACE_CONSENT_REVOCATION_FORBIDDEN',
      });
    });

    it('answers 412 to a stale If-Match', async () => {
      await refusedPatch(
        'police-central',
        revocationPatch(),
        {
          status: 412,
          issue: 'conflict',
          code: 'ENLACE_CONSENT_VERSION_MISMATCH',
        },
        { 'If-Match': 'W/"2"' },
      );
    });

    it('refuses any change but a revocation, and a revocation without a reason', async () => {
      await refusedPatch(
        'police-central',
        [{ op: 'replace', path: '/provision/type', value: 'permit' }, ...revocationPatch()],
        { status: 422, issue: 'not-supported', code: 'ENLACE_CONSENT_PATCH_UNSUPPORTED' },
      );
      await refusedPatch('police-central', [{ op: 'replace', path: '/status', value: 'active' }], {
        status: 422,
        issue: 'not-supported',
        code: 'ENLACE_CONSENT_PATCH_UNSUPPORTED',
      });
      await refusedPatch(
        'police-central',
        [{ op: 'replace', path: '/status', value: 'inactive' }],
        { status: 400, issue: 'invalid', code: 'ENLACE_CONSENT_PATCH_INVALID' },
      );
      await refusedPatch('police-central', revocationPatch('no'), {
        status: 400,
        issue: 'invalid',
        code: 'ENLACE_CONSENT_PATCH_INVALID',
      });
      await refusedPatch(
        'police-central',
        { op: 'replace' },
        {
          status: 400,
          issue: 'invalid',
          code: 'ENLACE_CONSENT_PATCH_INVALID',
        },
      );
    });

    it('answers 409 to a second revocation', async () => {
      await request(gateway.app)
        .patch(`/fhir/Consent/${id}`)
        .set('Authorization', 'Bearer police-central')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(revocationPatch()))
        .expect(200);
      const again = await request(gateway.app)
        .patch(`/fhir/Consent/${id}`)
        .set('Authorization', 'Bearer police-central')
        .set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify(revocationPatch()));
      assertOutcome(again, {
        status: 409,
        issue: 'conflict',
        code: 'ENLACE_CONSENT_ALREADY_INACTIVE',
      });
    });
  });
});
