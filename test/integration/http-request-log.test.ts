import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { createMemoryLogger, type LogRecord, type MemoryLog } from '../support/memory-log.js';
import { AUDIT_ROUTE_PATH, auditingRoute } from '../support/stand-in-routes.js';
import {
  createTestServices,
  listenLocal,
  type LocalServer,
  type TestServices,
} from '../support/test-app.js';

const isRequestLine =
  (reqId: string) =>
  (record: LogRecord): boolean =>
    record.msg === 'request' && record.reqId === reqId;

function onlyOne(lines: readonly LogRecord[]): LogRecord {
  assert.equal(lines.length, 1, 'exactly one request line');
  const [line] = lines;
  assert.ok(line !== undefined);
  return line;
}

describe('request log', () => {
  let ctx: TestServices;
  let server: LocalServer;
  let log: MemoryLog;

  before(async () => {
    const memory = createMemoryLogger('info');
    log = memory.log;
    ctx = await createTestServices({ logger: memory.logger });
    server = await listenLocal(createApp(ctx.services, { routes: [auditingRoute(ctx.store)] }));
  });

  after(async () => {
    await server.close();
    await ctx.dispose();
  });

  /** The request lines logged for this id, once the first has arrived and the loop has settled. */
  async function requestLines(reqId: string): Promise<LogRecord[]> {
    await log.waitFor(isRequestLine(reqId));
    // Let any duplicate line (from both 'finish' and 'close') be written before counting.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    return log.records.filter(isRequestLine(reqId));
  }

  it('writes one request line with id, method, route pattern, status and duration', async () => {
    const res = await request(server.url)
      .get('/fhir/metadata?_format=json&name=Maria')
      .set('X-Request-Id', 'log-1');
    assert.equal(res.status, 200);
    const line = onlyOne(await requestLines('log-1'));
    assert.equal(line.reqId, 'log-1');
    assert.equal(line.method, 'GET');
    assert.equal(line.route, '/fhir/metadata');
    assert.equal(line.status, 200);
    assert.equal(typeof line.durationMs, 'number');
    assert.ok(Number(line.durationMs) >= 0);
  });

  it('never logs query values or the query string', async () => {
    await request(server.url)
      .get('/fhir/metadata?_format=json&name=Maria')
      .set('X-Request-Id', 'log-2');
    await requestLines('log-2');
    for (const leak of ['Maria', 'name=', '_format=json', '?']) {
      assert.ok(!log.text.includes(leak), `the log contains ${leak}`);
    }
  });

  it('never logs the request body', async () => {
    const res = await request(server.url)
      .post(AUDIT_ROUTE_PATH)
      .set('Content-Type', 'application/fhir+json')
      .set('X-Request-Id', 'log-3')
      .send('{"resourceType":"Patient","name":[{"given":["Maria"],"family":"Lopez"}]}');
    const line = onlyOne(await requestLines('log-3'));
    assert.equal(line.method, 'POST');
    assert.equal(line.route, AUDIT_ROUTE_PATH);
    assert.equal(line.status, res.status);
    for (const leak of ['Maria', 'Lopez', 'Patient']) {
      assert.ok(!log.text.includes(leak), `the log contains ${leak}`);
    }
  });

  it('logs a refused request with its status and no route for an unknown path', async () => {
    await request(server.url)
      .get('/fhir/Patient/maria-lopez?name=Maria')
      .set('X-Request-Id', 'log-4');
    const line = onlyOne(await requestLines('log-4'));
    assert.equal(line.status, 404);
    assert.equal(line.route, null);
    assert.ok(!log.text.includes('maria-lopez'));
  });

  it('logs the request id it answered with when it replaced an unsafe one', async () => {
    const res = await request(server.url).get('/healthz').set('X-Request-Id', 'bad id Maria');
    const answered = res.headers['x-request-id'];
    assert.ok(typeof answered === 'string');
    const lines = await requestLines(answered);
    assert.equal(lines.length, 1);
    assert.ok(!log.text.includes('bad id Maria'));
  });
});
