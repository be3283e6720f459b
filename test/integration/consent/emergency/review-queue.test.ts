import assert from 'node:assert/strict';
import request from 'supertest';
import { assertOutcome } from '../../../support/outcome.js';
import {
  EMERGENCY_PATH,
  emergencyParameters,
  HOUR,
  JUSTIFICATION,
  NATIONAL_ID,
  parameterValue,
  startEmergencyApp,
  type EmergencyApp,
} from './emergency-app.js';

interface ReviewView {
  readonly id: string;
  readonly survivor: { readonly system: string; readonly value: string };
  readonly organization: string;
  readonly role: string;
  readonly justification: string;
  readonly riskLevel: string | null;
  readonly status: string;
  readonly grantedAt: string;
  readonly expiresAt: string;
  readonly stoppedAt: string | null;
  readonly reviewedAt: string | null;
  readonly reviewedBy: string | null;
  readonly reviewOutcome: string | null;
  readonly reviewNote: string | null;
}

describe('break-the-glass: the auditors’ review queue', () => {
  let ctx: EmergencyApp;
  let policeGrant: string;
  let healthGrant: string;

  beforeEach(async () => {
    ctx = await startEmergencyApp();
    const open = async (token: string, patient: string, riskLevel?: string) => {
      const res = await request(ctx.app)
        .post(EMERGENCY_PATH)
        .set('Authorization', `Bearer ${token}`)
        .send(emergencyParameters({ patient, ...(riskLevel === undefined ? {} : { riskLevel }) }))
        .expect(201);
      return String(parameterValue(res.body, 'grant'));
    };
    policeGrant = await open('police', 'p-1', 'high');
    ctx.advance(HOUR);
    healthGrant = await open('health', 'p-2');
  });
  afterEach(() => ctx.test.dispose());

  const list = (query: string, token = 'auditor') =>
    request(ctx.app).get(`/audit/break-glass${query}`).set('Authorization', `Bearer ${token}`);
  const review = (id: string, body: object, token = 'auditor') =>
    request(ctx.app)
      .post(`/audit/break-glass/${id}/review`)
      .set('Authorization', `Bearer ${token}`)
      .send(body);
  const grantsOf = (body: unknown) => (body as { grants: ReviewView[] }).grants;

  it('puts every grant in the queue unreviewed, the survivor only as a pseudonym', async () => {
    const res = await list('?reviewed=false').expect(200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    const grants = grantsOf(res.body);
    assert.deepEqual(
      grants.map((grant) => grant.id),
      [policeGrant, healthGrant],
    );
    const [first] = grants;
    assert.deepEqual(first, {
      id: policeGrant,
      survivor: {
        system: 'https://enlace.example.org/fhir/NamingSystem/survivor-pseudonym',
        value: ctx.pseudonymizer.current({ system: NATIONAL_ID, value: 'p-1' }).value,
      },
      organization: 'police-central',
      role: 'police',
      justification: JUSTIFICATION,
      riskLevel: 'high',
      status: 'active',
      grantedAt: '2025-03-01T10:00:00.000Z',
      expiresAt: '2025-03-02T10:00:00.000Z',
      stoppedAt: null,
      reviewedAt: null,
      reviewedBy: null,
      reviewOutcome: null,
      reviewNote: null,
    });
    assert.equal(JSON.stringify(res.body).includes('p-1"'), false);
    assert.deepEqual(grantsOf((await list('?reviewed=true').expect(200)).body), []);
  });

  it('records a review, audits it with the auditor, and moves the grant out of the queue', async () => {
    const before = await ctx.test.store.audit.count();
    const res = await review(policeGrant, {
      outcome: 'justified',
      note: '  Confirmed by report.  ',
    }).expect(200);
    const view = res.body as ReviewView;
    assert.equal(view.reviewOutcome, 'justified');
    assert.equal(view.reviewedBy, 'marta');
    assert.equal(view.reviewNote, 'Confirmed by report.');
    assert.equal(view.reviewedAt, ctx.now().toISOString());

    const events = (await ctx.test.store.audit.list({ afterSeq: before })).map((r) => r.event);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.outcome, '0');
    assert.equal(events[0].agent[0]?.who?.identifier?.value, 'marta');
    assert.equal(events[0].entity?.[0]?.what?.identifier?.value, policeGrant);

    assert.deepEqual(
      grantsOf((await list('?reviewed=false').expect(200)).body).map((grant) => grant.id),
      [healthGrant],
    );
    assert.deepEqual(
      grantsOf((await list('?reviewed=true').expect(200)).body).map((grant) => grant.id),
      [policeGrant],
    );
    assert.equal(grantsOf((await list('').expect(200)).body).length, 2);
    assert.equal(grantsOf((await list('?limit=1').expect(200)).body).length, 1);
  });

  it('refuses a second review with 409 and keeps the first', async () => {
    await review(healthGrant, { outcome: 'needs-follow-up' }).expect(200);
    const before = await ctx.test.store.audit.count();
    assertOutcome(await review(healthGrant, { outcome: 'unjustified', note: 'Changed my mind.' }), {
      status: 409,
      issue: 'conflict',
      code: 'ENLACE_EMERGENCY_ALREADY_REVIEWED',
    });
    const [refusal] = (await ctx.test.store.audit.list({ afterSeq: before })).map((r) => r.event);
    assert.equal(refusal?.outcome, '4');
    assert.equal(refusal.agent[0]?.who?.identifier?.value, 'marta');
    const [kept] = grantsOf((await list('?reviewed=true').expect(200)).body);
    assert.equal(kept?.reviewOutcome, 'needs-follow-up');
  });

  it('answers 404 for an unknown grant and 400 for a bad or unexplained finding', async () => {
    assertOutcome(await review('no-such-grant', { outcome: 'justified' }), {
      status: 404,
      issue: 'not-found',
      code: 'ENLACE_EMERGENCY_GRANT_NOT_FOUND',
    });
    const unexplained = assertOutcome(await review(policeGrant, { outcome: 'unjustified' }), {
      status: 400,
      issue: 'invalid',
      code: 'ENLACE_EMERGENCY_REVIEW_INVALID',
    });
    assert.deepEqual(unexplained.issue[0]?.expression, ['note']);
    assertOutcome(await review(policeGrant, { outcome: 'fine' }), {
      status: 400,
      issue: 'invalid',
      code: 'ENLACE_EMERGENCY_REVIEW_INVALID',
    });
    await review(policeGrant, { outcome: 'unjustified', note: 'No danger was reported.' }).expect(
      200,
    );
  });

  it('refuses partner tokens, operators and bad query parameters on the auditor routes', async () => {
    assertOutcome(await list('', 'police'), {
      status: 401,
      issue: 'login',
      code: 'ENLACE_TOKEN_INVALID',
    });
    assertOutcome(await review(policeGrant, { outcome: 'justified' }, 'police'), {
      status: 401,
      issue: 'login',
      code: 'ENLACE_TOKEN_INVALID',
    });
    assertOutcome(await list('', 'operator'), {
      status: 403,
      issue: 'forbidden',
      code: 'ENLACE_ROLE_INSUFFICIENT',
    });
    for (const query of [
      '?reviewed=maybe',
      '?limit=0',
      '?limit=501',
      '?reviewed=true&reviewed=false',
      '?who=x',
    ]) {
      assertOutcome(await list(query), {
        status: 400,
        issue: 'invalid',
        code: 'ENLACE_INVALID_PARAMETER',
      });
    }
  });
});
