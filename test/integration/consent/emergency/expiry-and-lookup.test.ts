import assert from 'node:assert/strict';
import request from 'supertest';
import {
  findActiveGrant,
  startEmergencySweeper,
  stopExpiredGrants,
} from '../../../../src/consent/emergency/index.js';
import { assertOutcome } from '../../../support/outcome.js';
import { silentLogger } from '../../../support/memory-log.js';
import {
  EMERGENCY_PATH,
  emergencyParameters,
  HOUR,
  NATIONAL_ID,
  parameterValue,
  startEmergencyApp,
  STOP_PATH,
  type EmergencyApp,
  type RequestOptions,
} from './emergency-app.js';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';

describe('break-the-glass: expiry, early stop and the grant lookup', () => {
  let ctx: EmergencyApp;

  beforeEach(async () => {
    ctx = await startEmergencyApp();
  });
  afterEach(() => ctx.test.dispose());

  const open = async (token: string, options: RequestOptions = {}): Promise<string> => {
    const res = await request(ctx.app)
      .post(EMERGENCY_PATH)
      .set('Authorization', `Bearer ${token}`)
      .send(emergencyParameters(options))
      .expect(201);
    return String(parameterValue(res.body, 'grant'));
  };

  const survivor = (value = '1-2345-6789') =>
    ctx.pseudonymizer.all({ system: NATIONAL_ID, value }).map((pseudonym) => pseudonym.value);

  const stopEvents = async () =>
    (await ctx.test.store.audit.list())
      .map((record) => record.event)
      .filter((event) => event.subtype?.[0]?.code === '110138');

  it('finds the grant in force for exactly the survivor and the institution, until it expires', async () => {
    const id = await open('police', { hours: 2 });
    const db = ctx.test.store.db;
    const at = ctx.now();
    const found = await findActiveGrant(db, survivor(), 'police-central', at);
    assert.equal(found?.id, id);
    assert.equal(found.organization, 'police-central');
    assert.equal(found.expiresAt.getTime(), at.getTime() + 2 * HOUR);
    assert.equal(await findActiveGrant(db, survivor(), 'hospital-norte', at), undefined);
    assert.equal(
      await findActiveGrant(db, survivor('9-9999-9999'), 'police-central', at),
      undefined,
    );
    assert.equal(await findActiveGrant(db, [], 'police-central', at), undefined);
    assert.equal(
      await findActiveGrant(db, survivor(), 'police-central', new Date(at.getTime() - 1)),
      undefined,
      'not before it was granted',
    );
    const justBefore = new Date(at.getTime() + 2 * HOUR - 1);
    assert.equal((await findActiveGrant(db, survivor(), 'police-central', justBefore))?.id, id);
    const atExpiry = new Date(at.getTime() + 2 * HOUR);
    assert.equal(await findActiveGrant(db, survivor(), 'police-central', atExpiry), undefined);
  });

  it('writes exactly one STOP event at expiry, however often and concurrently the sweep runs', async () => {
    const id = await open('police', { hours: 1 });
    const other = await open('health', { hours: 3 });
    assert.deepEqual(await stopExpiredGrants(ctx.test.store, ctx.now()), []);
    const expiry = new Date(ctx.now().getTime() + HOUR);
    const [first, second] = await Promise.all([
      stopExpiredGrants(ctx.test.store, expiry),
      stopExpiredGrants(ctx.test.store, expiry),
    ]);
    assert.deepEqual([...first, ...second], [id]);
    assert.deepEqual(await stopExpiredGrants(ctx.test.store, expiry), []);

    const events = await stopEvents();
    assert.equal(events.length, 1);
    const [stop] = events;
    assert.deepEqual(stop?.type, { system: DCM, code: '110113', display: 'Security Alert' });
    assert.deepEqual(stop.subtype, [
      { system: DCM, code: '110138', display: 'Emergency Override Stopped' },
    ]);
    assert.equal(stop.purposeOfEvent?.[0]?.coding?.[0]?.code, 'ETREAT');
    assert.equal(stop.agent[0]?.who?.reference, 'Organization/enlace-gateway');
    assert.equal(stop.entity?.[1]?.what?.identifier?.value, id);
    assert.equal(stop.recorded, expiry.toISOString());

    const rows = await ctx.test.store.db
      .selectFrom('emergency_grant')
      .select(['id', 'stopped_at'])
      .orderBy('expires_at')
      .execute();
    assert.deepEqual(rows, [
      { id, stopped_at: expiry.toISOString() },
      { id: other, stopped_at: null },
    ]);
  });

  it('sweeps on its own and stops cleanly', async () => {
    const id = await open('police', { hours: 1 });
    ctx.advance(HOUR);
    const stop = startEmergencySweeper({
      store: ctx.test.store,
      clock: ctx.now,
      intervalMs: 5,
      logger: silentLogger(),
    });
    // Waits for the first sweep without asserting how long it takes (CI machines are busy).
    for (let attempt = 0; attempt < 2000 && (await stopEvents()).length === 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await stop();
    const events = await stopEvents();
    assert.equal(events.length, 1);
    assert.equal(events[0]?.entity?.[1]?.what?.identifier?.value, id);
  });

  it('lets the institution end its own grant early, once, and no other institution', async () => {
    const id = await open('police');
    const stopBody = { resourceType: 'Parameters', parameter: [{ name: 'grant', valueId: id }] };
    const send = (token: string) =>
      request(ctx.app).post(STOP_PATH).set('Authorization', `Bearer ${token}`).send(stopBody);
    assertOutcome(await send('health'), {
      status: 404,
      issue: 'not-found',
      code: 'ENLACE_EMERGENCY_GRANT_NOT_FOUND',
    });
    ctx.advance(HOUR);
    const res = await send('police').expect(200);
    assert.equal(parameterValue(res.body, 'stoppedAt'), ctx.now().toISOString());
    assert.equal(
      await findActiveGrant(ctx.test.store.db, survivor(), 'police-central', ctx.now()),
      undefined,
    );
    assertOutcome(await send('police'), {
      status: 409,
      issue: 'conflict',
      code: 'ENLACE_EMERGENCY_GRANT_ENDED',
    });
    const events = await stopEvents();
    assert.deepEqual(
      events.map((event) => event.outcome),
      ['4', '0', '4'],
      'the refused, the successful and the repeated stop are all audited',
    );
    assert.equal(events[1]?.agent[0]?.who?.reference, 'Organization/police-central');
    // The sweep leaves a stopped grant alone: no second STOP at expiry.
    ctx.advance(24 * HOUR);
    assert.deepEqual(await stopExpiredGrants(ctx.test.store, ctx.now()), []);
    // A new grant for her may be opened once the old one ended.
    await open('police');
  });
});
