import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import type { Authorizer } from '../../../src/kernel/index.js';
import {
  openProtection,
  type LoadReading,
  type Protection,
} from '../../../src/protection/index.js';
import { MemoryLog } from '../../support/memory-log.js';
import { assertOutcome } from '../../support/outcome.js';
import { createTestServices, type TestServices } from '../../support/test-app.js';
import { pino } from 'pino';

describe('load shedding', () => {
  let test: TestServices;
  let protection: Protection;
  let app: Express;
  let reading: LoadReading = { eventLoopDelayMs: 0, databaseWaiting: 0 };
  let authorized = 0;
  const log = new MemoryLog();
  /** Counts the calls that got as far as authentication; a shed request never does. */
  const authorize: Authorizer = () => {
    authorized += 1;
    return Promise.reject(new Error('this test authorizes no caller'));
  };

  before(async () => {
    test = await createTestServices({
      authorize,
      env: {
        ENLACE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '200',
        ENLACE_LOAD_SHED_DATABASE_WAITING: '20',
      },
    });
    protection = openProtection({
      config: test.services.config,
      store: test.store,
      clock: test.services.clock,
      logger: pino({ level: 'warn' }, log),
      // The injected probe: each test forces the lag or the queue it needs.
      probe: () => reading,
    });
    app = createApp({ ...test.services, protection, logger: pino({ level: 'warn' }, log) });
  });
  after(async () => {
    await protection.close();
    await test.dispose();
  });
  beforeEach(() => {
    reading = { eventLoopDelayMs: 0, databaseWaiting: 0 };
    authorized = 0;
  });

  it('serves normally under the thresholds', async () => {
    reading = { eventLoopDelayMs: 150, databaseWaiting: 20 };
    await request(app).get('/fhir/metadata').expect(200);
  });

  it('sheds a submission with 503, Retry-After and an OperationOutcome while the event loop lags, before reading it or checking its token', async () => {
    reading = { eventLoopDelayMs: 900, databaseWaiting: 0 };
    const before = await test.store.audit.count();
    const shed = await request(app)
      .post('/fhir/$process-message')
      .set('Content-Type', 'application/fhir+json')
      .set('Authorization', 'Bearer whatever')
      .send(JSON.stringify({ resourceType: 'Bundle', type: 'message' }));
    const outcome = assertOutcome(shed, {
      status: 503,
      issue: 'transient',
      code: 'ENLACE_OVERLOADED',
    });
    assert.match(String(outcome.issue[0]?.details?.text), /overloaded/);
    assert.equal(shed.headers['retry-after'], '2');
    assert.equal(shed.headers['connection'], 'close', 'the unread body is not drained');
    assert.equal(authorized, 0, 'no token was checked');
    assert.equal(await test.store.audit.count(), before, 'nothing was written');
    assert.match(log.text, /overloaded; shedding new requests/);
    assert.match(log.text, /event loop delay 900 ms over 200 ms/);
  });

  it('sheds while too many queries wait for a database connection', async () => {
    reading = { eventLoopDelayMs: 0, databaseWaiting: 21 };
    const shed = await request(app).get('/fhir/metadata');
    assertOutcome(shed, { status: 503, issue: 'transient', code: 'ENLACE_OVERLOADED' });
  });

  it('answers the token endpoint in the OAuth error shape', async () => {
    reading = { eventLoopDelayMs: 900, databaseWaiting: 0 };
    const shed = await request(app)
      .post('/oauth2/token')
      .type('form')
      .send('grant_type=client_credentials');
    assert.equal(shed.status, 503);
    assert.equal((shed.body as { error?: string }).error, 'temporarily_unavailable');
    assert.equal(shed.headers['retry-after'], '2');
  });

  it('keeps liveness answering and reports the overload in readiness', async () => {
    reading = { eventLoopDelayMs: 900, databaseWaiting: 0 };
    await request(app).get('/healthz').expect(200);
    const ready = await request(app).get('/readyz');
    assertOutcome(ready, { status: 503, issue: 'transient', code: 'ENLACE_NOT_READY' });
    assert.match(ready.text, /load: not ready/);
    reading = { eventLoopDelayMs: 0, databaseWaiting: 0 };
    const fine = await request(app).get('/readyz').expect(200);
    const report = fine.body as { checks: Record<string, unknown> };
    assert.deepEqual(report.checks['load'], { ok: true });
  });
});
