import assert from 'node:assert/strict';
import type { AuditEvent, CapabilityStatement } from '@medplum/fhirtypes';
import request from 'supertest';
import {
  activeConsentRecorders,
  listNotifications,
} from '../../../../src/consent/emergency/index.js';
import { assertOutcome } from '../../../support/outcome.js';
import { TEST_STARTED_AT } from '../../../support/test-app.js';
import {
  EMERGENCY_PATH,
  emergencyParameters,
  HOUR,
  JUSTIFICATION,
  NATIONAL_ID,
  parameterValue,
  startEmergencyApp,
  type EmergencyApp,
  type RequestOptions,
} from './emergency-app.js';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const PSEUDONYM_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/survivor-pseudonym';
const GRANT_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/emergency-grant';

describe('break-the-glass: opening an emergency grant', () => {
  let ctx: EmergencyApp;

  beforeEach(async () => {
    ctx = await startEmergencyApp();
  });
  afterEach(() => ctx.test.dispose());

  const open = (token: string, options: RequestOptions = {}) =>
    request(ctx.app)
      .post(EMERGENCY_PATH)
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(emergencyParameters(options)));

  const pseudonymOf = (value = '1-2345-6789') =>
    ctx.pseudonymizer.current({ system: NATIONAL_ID, value }).value;

  const eventsSince = async (seq: number): Promise<AuditEvent[]> =>
    (await ctx.test.store.audit.list({ afterSeq: seq })).map((record) => record.event);

  it('grants police 24 hours, records the START event and notifies the consent recorder', async () => {
    ctx.recorders.set(pseudonymOf(), ['casa-refugio', 'police-central', 'casa-refugio']);
    const before = await ctx.test.store.audit.count();
    const res = await open('police', { riskLevel: 'extreme' }).expect(201);
    assert.equal(res.headers['content-type'], 'application/fhir+json; charset=utf-8');
    const grantId = parameterValue(res.body, 'grant');
    assert.equal(typeof grantId, 'string');
    assert.equal(
      parameterValue(res.body, 'expiresAt'),
      new Date(TEST_STARTED_AT.getTime() + 24 * HOUR).toISOString(),
    );
    assert.deepEqual(parameterValue(res.body, 'patient'), {
      system: PSEUDONYM_SYSTEM,
      value: pseudonymOf(),
    });

    const events = await eventsSince(before);
    assert.equal(events.length, 1);
    const [start] = events;
    assert.ok(start);
    assert.deepEqual(start.type, { system: DCM, code: '110113', display: 'Security Alert' });
    assert.deepEqual(start.subtype, [
      { system: DCM, code: '110127', display: 'Emergency Override Started' },
    ]);
    assert.deepEqual(start.purposeOfEvent, [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
            code: 'ETREAT',
            display: 'Emergency Treatment',
          },
        ],
      },
    ]);
    assert.equal(start.outcome, '0');
    assert.equal(start.recorded, TEST_STARTED_AT.toISOString());
    assert.equal(start.agent[0]?.who?.reference, 'Organization/police-central');
    assert.equal(start.agent[0].who.identifier?.value, 'client-police-central');
    assert.equal(start.agent[0].type?.coding?.[0]?.code, 'police');
    assert.deepEqual(start.entity?.[0]?.what?.identifier, {
      system: PSEUDONYM_SYSTEM,
      value: pseudonymOf(),
    });
    assert.deepEqual(start.entity[1]?.what?.identifier, { system: GRANT_SYSTEM, value: grantId });
    // Why: the survivor's identifier and the free-text justification never reach the audit trail.
    const text = JSON.stringify(start);
    assert.equal(text.includes('1-2345-6789'), false);
    assert.equal(text.includes(JUSTIFICATION), false);

    const notices = await listNotifications(ctx.test.store.db);
    assert.equal(notices.length, 1, 'one notice, not to the grantee itself');
    assert.equal(notices[0]?.recipient, 'casa-refugio');
    assert.equal(notices[0].kind, 'break-glass');
    assert.equal(notices[0].deliveredAt, undefined);
    assert.deepEqual(notices[0].payload, {
      grant: grantId,
      pseudonym: pseudonymOf(),
      organization: 'police-central',
      role: 'police',
      riskLevel: 'extreme',
      grantedAt: TEST_STARTED_AT.toISOString(),
      expiresAt: new Date(TEST_STARTED_AT.getTime() + 24 * HOUR).toISOString(),
    });

    const row = await ctx.test.store.db
      .selectFrom('emergency_grant')
      .selectAll()
      .executeTakeFirstOrThrow();
    assert.equal(row.pseudonym, pseudonymOf());
    assert.equal(row.key_id, 'k2');
    assert.equal(row.justification, JUSTIFICATION);
    assert.equal(JSON.stringify(row).includes('1-2345-6789'), false, 'identifier never stored');
  });

  it('lets health open a shorter grant and finds consents recorded under a retired key', async () => {
    const retired = ctx.pseudonymizer
      .all({ system: NATIONAL_ID, value: '1-2345-6789' })
      .at(1)?.value;
    assert.ok(retired);
    ctx.recorders.set(retired, ['fiscalia-norte']);
    const res = await open('health', { hours: 6, riskLevel: 'high' }).expect(201);
    assert.equal(
      parameterValue(res.body, 'expiresAt'),
      new Date(TEST_STARTED_AT.getTime() + 6 * HOUR).toISOString(),
    );
    const notices = await listNotifications(ctx.test.store.db, { recipient: 'fiscalia-norte' });
    assert.equal(notices.length, 1);
  });

  it('finds the recorders of her active consents in the consent records', async () => {
    const row = (id: string, recorder: string, status: string, pseudonym = pseudonymOf()) => ({
      id,
      version: 1,
      pseudonym,
      key_id: 'k2',
      status,
      recorder,
      recorded_at: TEST_STARTED_AT.toISOString(),
      updated_at: TEST_STARTED_AT.toISOString(),
      resource: '{}',
    });
    await ctx.test.store.db
      .insertInto('consent')
      .values([
        row('c1', 'casa-refugio', 'active'),
        row('c2', 'casa-refugio', 'active'),
        row('c3', 'fiscalia-norte', 'inactive'),
        row('c4', 'legal-aid-sur', 'active', pseudonymOf('someone-else')),
      ])
      .execute();
    assert.deepEqual(
      await activeConsentRecorders(ctx.test.store.db, [pseudonymOf(), 'k1.unknown']),
      ['casa-refugio'],
    );
    assert.deepEqual(await activeConsentRecorders(ctx.test.store.db, []), []);
  });

  it('advertises the operation on Consent in the CapabilityStatement', async () => {
    const res = await request(ctx.app).get('/fhir/metadata').expect(200);
    const statement = res.body as CapabilityStatement;
    const consent = statement.rest?.[0]?.resource?.find((entry) => entry.type === 'Consent');
    assert.deepEqual(consent?.operation?.[0], {
      name: 'emergency-access',
      definition: 'https://enlace.example.org/fhir/OperationDefinition/emergency-access',
    });
  });

  describe('refusals, each answered with an OperationOutcome and audited', () => {
    const refusalCases: {
      readonly title: string;
      readonly token?: string;
      readonly options: RequestOptions;
      readonly status: number;
      readonly issue: string;
      readonly code: string;
      readonly expression?: string;
    }[] = [
      {
        title: 'a justification of 19 characters',
        options: { justification: `  ${'x'.repeat(19)}  ` },
        status: 400,
        issue: 'value',
        code: 'ENLACE_EMERGENCY_PARAMETER_INVALID',
        expression: 'Parameters.parameter[2].valueString',
      },
      {
        title: 'a role the policy does not allow (shelter)',
        token: 'shelter',
        options: {},
        status: 403,
        issue: 'forbidden',
        code: 'ENLACE_EMERGENCY_ROLE_NOT_ALLOWED',
      },
      {
        title: 'a medium risk level',
        options: { riskLevel: 'medium' },
        status: 400,
        issue: 'value',
        code: 'ENLACE_EMERGENCY_PARAMETER_INVALID',
        expression: 'Parameters.parameter[3]',
      },
      {
        title: 'a purpose other than emergency',
        options: { purpose: 'protection' },
        status: 400,
        issue: 'value',
        code: 'ENLACE_EMERGENCY_PARAMETER_INVALID',
        expression: 'Parameters.parameter[1].valueCoding',
      },
      {
        title: 'a missing patient',
        options: { patient: null },
        status: 400,
        issue: 'required',
        code: 'ENLACE_EMERGENCY_PARAMETER_MISSING',
        expression: "Parameters.parameter.where(name='patient')",
      },
      {
        title: 'more hours than the policy allows',
        options: { hours: 25 },
        status: 400,
        issue: 'value',
        code: 'ENLACE_EMERGENCY_PARAMETER_INVALID',
      },
    ];

    for (const refusal of refusalCases) {
      it(`refuses ${refusal.title}`, async () => {
        const before = await ctx.test.store.audit.count();
        const outcome = assertOutcome(
          await open(refusal.token ?? 'police', refusal.options),
          refusal,
        );
        if (refusal.expression !== undefined) {
          assert.deepEqual(outcome.issue[0]?.expression, [refusal.expression]);
        }
        const events = await eventsSince(before);
        assert.equal(events.length, 1, 'the refusal is audited');
        const [event] = events;
        assert.equal(event?.outcome, '4');
        assert.equal(event.subtype?.[0]?.code, '110127');
        assert.match(event.outcomeDesc ?? '', new RegExp(`^${refusal.code}: `));
        const grants = await ctx.test.store.db.selectFrom('emergency_grant').selectAll().execute();
        assert.equal(grants.length, 0, 'no grant was written');
        assert.equal((await listNotifications(ctx.test.store.db)).length, 0);
      });
    }

    it('refuses a caller without the Consent create scope before reading the body', async () => {
      const res = await open('court');
      assertOutcome(res, { status: 403, issue: 'forbidden', code: 'ENLACE_SCOPE_INSUFFICIENT' });
    });

    it('refuses a second survivor presented with an existing grant, and keeps the grant to its survivor', async () => {
      const first = await open('police').expect(201);
      const grant = String(parameterValue(first.body, 'grant'));
      const before = await ctx.test.store.audit.count();
      const outcome = assertOutcome(await open('police', { patient: '9-8765-4321', grant }), {
        status: 403,
        issue: 'forbidden',
        code: 'ENLACE_EMERGENCY_GRANT_MISMATCH',
      });
      assert.match(outcome.issue[0]?.details?.text ?? '', /another survivor/);
      const [event] = await eventsSince(before);
      assert.equal(event?.outcome, '4');
      assert.deepEqual(event.entity?.[0]?.what?.identifier, {
        system: PSEUDONYM_SYSTEM,
        value: pseudonymOf('9-8765-4321'),
      });
      const rows = await ctx.test.store.db.selectFrom('emergency_grant').selectAll().execute();
      assert.deepEqual(
        rows.map((row) => row.pseudonym),
        [pseudonymOf()],
      );
    });

    it('confirms a grant presented for its own survivor with 200 and opens nothing new', async () => {
      const first = await open('police').expect(201);
      const grant = String(parameterValue(first.body, 'grant'));
      const again = await open('police', { grant }).expect(200);
      assert.equal(parameterValue(again.body, 'grant'), grant);
      const rows = await ctx.test.store.db.selectFrom('emergency_grant').selectAll().execute();
      assert.equal(rows.length, 1);
    });

    it("answers 404 for another institution's grant id", async () => {
      const first = await open('police').expect(201);
      const grant = String(parameterValue(first.body, 'grant'));
      assertOutcome(await open('health', { grant }), {
        status: 404,
        issue: 'not-found',
        code: 'ENLACE_EMERGENCY_GRANT_NOT_FOUND',
      });
    });

    it('refuses a second grant for the same survivor and institution while one is in force', async () => {
      const first = await open('police').expect(201);
      const outcome = assertOutcome(await open('police'), {
        status: 409,
        issue: 'duplicate',
        code: 'ENLACE_EMERGENCY_GRANT_ACTIVE',
      });
      assert.match(
        outcome.issue[0]?.details?.text ?? '',
        new RegExp(String(parameterValue(first.body, 'grant'))),
      );
      // Another institution may open its own grant for her.
      await open('health').expect(201);
    });

    it('refuses to present an expired grant', async () => {
      const first = await open('police', { hours: 1 }).expect(201);
      ctx.advance(HOUR);
      assertOutcome(await open('police', { grant: String(parameterValue(first.body, 'grant')) }), {
        status: 409,
        issue: 'conflict',
        code: 'ENLACE_EMERGENCY_GRANT_ENDED',
      });
    });

    it('refuses an unknown parameter and a body that is not Parameters', async () => {
      const send = (body: object) =>
        request(ctx.app)
          .post(EMERGENCY_PATH)
          .set('Authorization', 'Bearer police')
          .set('Content-Type', 'application/fhir+json')
          .send(JSON.stringify(body));
      const base = emergencyParameters() as { parameter: object[] };
      const unknown = assertOutcome(
        await send({
          ...base,
          parameter: [...base.parameter, { name: 'scope', valueString: 'all' }],
        }),
        { status: 400, issue: 'value', code: 'ENLACE_EMERGENCY_PARAMETER_INVALID' },
      );
      assert.deepEqual(unknown.issue[0]?.expression, ['Parameters.parameter[3].name']);
      assertOutcome(await send({ resourceType: 'Bundle' }), {
        status: 400,
        issue: 'value',
        code: 'ENLACE_EMERGENCY_PARAMETER_INVALID',
      });
    });
  });

  it('refuses more grants in force than the policy allows one institution', async () => {
    await ctx.test.dispose();
    ctx = await startEmergencyApp({ maxActivePerOrganization: 2 });
    await open('police', { patient: 'a-1' }).expect(201);
    await open('police', { patient: 'a-2' }).expect(201);
    assertOutcome(await open('police', { patient: 'a-3' }), {
      status: 403,
      issue: 'forbidden',
      code: 'ENLACE_EMERGENCY_LIMIT_REACHED',
    });
    ctx.advance(24 * HOUR);
    await open('police', { patient: 'a-3' }).expect(201);
  });
});
