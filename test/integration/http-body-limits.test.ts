import assert from 'node:assert/strict';
import type { AuditEvent } from '@medplum/fhirtypes';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { createMemoryLogger, type MemoryLog } from '../support/memory-log.js';
import { FHIR_JSON_UTF8, assertOutcome } from '../support/outcome.js';
import { rawRequest } from '../support/raw-request.js';
import {
  AUDIT_ROUTE_PATH,
  FAILING_ROUTE_PATH,
  LEAKY_FAILURE_MESSAGE,
  auditingRoute,
  failingRoute,
} from '../support/stand-in-routes.js';
import {
  createTestServices,
  listenLocal,
  type LocalServer,
  type TestServices,
} from '../support/test-app.js';

const BODY_LIMIT = 2048;
const FHIR_JSON = 'application/fhir+json';

/** A JSON object whose serialisation is exactly `size` bytes. */
function jsonOfSize(size: number): string {
  const frame = '{"resourceType":"Basic","text":""}';
  return `{"resourceType":"Basic","text":"${'x'.repeat(size - frame.length)}"}`;
}

const nestedArrays = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('HTTP request bodies', () => {
  let ctx: TestServices;
  let server: LocalServer;
  let log: MemoryLog;
  let auditCountBefore: number;

  before(async () => {
    const memory = createMemoryLogger('info');
    log = memory.log;
    ctx = await createTestServices({
      env: { ENLACE_BODY_LIMIT: String(BODY_LIMIT) },
      logger: memory.logger,
    });
    assert.equal(ctx.services.config.bodyLimitBytes, BODY_LIMIT);
    assert.equal(ctx.services.config.jsonMaxDepth, 64);
    server = await listenLocal(
      createApp(ctx.services, { routes: [auditingRoute(ctx.store), failingRoute()] }),
    );
  });

  beforeEach(async () => {
    auditCountBefore = await ctx.store.audit.count();
  });

  after(async () => {
    await server.close();
    await ctx.dispose();
  });

  const post = (contentType = FHIR_JSON) =>
    request(server.url).post(AUDIT_ROUTE_PATH).set('Content-Type', contentType);

  async function assertNothingWritten(): Promise<void> {
    assert.equal(await ctx.store.audit.count(), auditCountBefore, 'no audit record was written');
  }

  describe('accepted bodies', () => {
    it('runs the handler once for a well-formed FHIR JSON body and answers 201', async () => {
      const res = await post().send('{"resourceType":"Basic","code":{"text":"ok"}}');
      assert.equal(res.status, 201);
      assert.equal(res.headers['content-type'], FHIR_JSON_UTF8);
      assert.equal((JSON.parse(res.text) as AuditEvent).resourceType, 'AuditEvent');
      assert.equal(await ctx.store.audit.count(), auditCountBefore + 1);
    });

    it('accepts application/json with charset=utf-8', async () => {
      const res = await post('application/json; charset=utf-8').send('{"resourceType":"Basic"}');
      assert.equal(res.status, 201);
      assert.equal(await ctx.store.audit.count(), auditCountBefore + 1);
    });

    it('accepts a body of exactly the size limit', async () => {
      const body = jsonOfSize(BODY_LIMIT);
      assert.equal(Buffer.byteLength(body), BODY_LIMIT);
      const res = await post().send(body);
      assert.equal(res.status, 201);
    });

    it('accepts JSON nested exactly to the depth limit', async () => {
      const res = await post().send(nestedArrays(64));
      assert.equal(res.status, 201);
    });
  });

  describe('refused bodies', () => {
    it('refuses malformed JSON with 400 structure', async () => {
      const res = await post().send('{"resourceType":"Basic",}');
      assertOutcome(res, { status: 400, issue: 'structure', code: 'ENLACE_MALFORMED_JSON' });
      await assertNothingWritten();
    });

    it('refuses malformed JSON without quoting it', async () => {
      // A fixed request id: a random one echoed in the answer could hold the digits looked for.
      const res = await post()
        .set('X-Request-Id', 'malformed-json-probe')
        .send('{"name":"Maria Lopez" "phone":"555-0199"}');
      assertOutcome(res, { status: 400, issue: 'structure', code: 'ENLACE_MALFORMED_JSON' });
      assert.ok(!res.text.includes('Maria'));
      assert.ok(!res.text.includes('555'));
      await assertNothingWritten();
    });

    it('refuses a body over the limit with a declared Content-Length with 413', async () => {
      const body = jsonOfSize(BODY_LIMIT + 1);
      const res = await post()
        .set('Content-Length', String(BODY_LIMIT + 1))
        .send(body);
      assertOutcome(res, { status: 413, issue: 'too-costly', code: 'ENLACE_BODY_TOO_LARGE' });
      await assertNothingWritten();
    });

    it('refuses a chunked body without Content-Length with 413 while it is still streaming', async () => {
      const chunk = Buffer.from(`[${'"abcdefgh",'.repeat(92)}`); // 1013 bytes, never closed
      const res = await rawRequest(server.url, {
        method: 'POST',
        path: AUDIT_ROUTE_PATH,
        headers: { 'Content-Type': FHIR_JSON, 'Transfer-Encoding': 'chunked' },
        chunks: [chunk, chunk, chunk],
        end: false,
      });
      assertOutcome(res, { status: 413, issue: 'too-costly', code: 'ENLACE_BODY_TOO_LARGE' });
      await assertNothingWritten();
    });

    it('refuses a completed chunked body over the limit with 413', async () => {
      const body = Buffer.from(jsonOfSize(BODY_LIMIT * 2));
      const res = await rawRequest(server.url, {
        method: 'POST',
        path: AUDIT_ROUTE_PATH,
        headers: { 'Content-Type': FHIR_JSON },
        chunks: [body.subarray(0, 1000), body.subarray(1000, 2000), body.subarray(2000)],
      });
      assert.equal(res.headers['content-length'] === undefined, false);
      assertOutcome(res, { status: 413, issue: 'too-costly', code: 'ENLACE_BODY_TOO_LARGE' });
      await assertNothingWritten();
    });

    it('refuses JSON nested deeper than the limit with 400 too-costly', async () => {
      const res = await post().send(nestedArrays(65));
      assertOutcome(res, { status: 400, issue: 'too-costly', code: 'ENLACE_JSON_TOO_DEEP' });
      await assertNothingWritten();
    });

    for (const key of ['__proto__', 'constructor', 'prototype']) {
      it(`refuses a "${key}" member with 400 security`, async () => {
        const res = await post().send(`{"resourceType":"Basic","extension":[{"${key}":{"x":1}}]}`);
        assertOutcome(res, { status: 400, issue: 'security', code: 'ENLACE_JSON_FORBIDDEN_KEY' });
        await assertNothingWritten();
      });
    }

    it('refuses duplicate member names with 400 structure', async () => {
      const res = await post().send('{"resourceType":"Basic","resourceType":"Patient"}');
      assertOutcome(res, { status: 400, issue: 'structure', code: 'ENLACE_JSON_DUPLICATE_KEY' });
      await assertNothingWritten();
    });

    it('refuses invalid UTF-8 with 400 structure', async () => {
      const body = Buffer.concat([
        Buffer.from('{"resourceType":"Basic","text":"'),
        Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]),
        Buffer.from('"}'),
      ]);
      // Why raw: supertest would re-serialise a Buffer as JSON for a +json Content-Type.
      const res = await rawRequest(server.url, {
        method: 'POST',
        path: AUDIT_ROUTE_PATH,
        headers: { 'Content-Type': FHIR_JSON, 'Content-Length': String(body.length) },
        chunks: [body],
      });
      assertOutcome(res, { status: 400, issue: 'structure', code: 'ENLACE_INVALID_UTF8' });
      await assertNothingWritten();
    });

    it('refuses an empty body with 400 required', async () => {
      const res = await post().send('');
      assertOutcome(res, { status: 400, issue: 'required', code: 'ENLACE_BODY_REQUIRED' });
      await assertNothingWritten();
    });
  });

  describe('refused media types', () => {
    const unsupported: readonly [string, string][] = [
      ['Content-Type text/plain', 'text/plain'],
      ['charset=iso-8859-1', 'application/fhir+json; charset=iso-8859-1'],
      ['Content-Type application/fhir+xml', 'application/fhir+xml'],
      ['a Content-Type that is not a media type', 'json'],
      ['a list of media types', 'text/plain, application/fhir+json'],
    ];
    for (const [what, contentType] of unsupported) {
      it(`refuses ${what} with 415`, async () => {
        const res = await post(contentType).send('{"resourceType":"Basic"}');
        assertOutcome(res, {
          status: 415,
          issue: 'not-supported',
          code: 'ENLACE_UNSUPPORTED_MEDIA_TYPE',
        });
        await assertNothingWritten();
      });
    }

    it('refuses Content-Encoding gzip with 415', async () => {
      const res = await post().set('Content-Encoding', 'gzip').send('{"resourceType":"Basic"}');
      assertOutcome(res, {
        status: 415,
        issue: 'not-supported',
        code: 'ENLACE_UNSUPPORTED_MEDIA_TYPE',
      });
      await assertNothingWritten();
    });

    it('refuses a body without Content-Type with 415', async () => {
      const body = Buffer.from('{"resourceType":"Basic"}');
      const res = await rawRequest(server.url, {
        method: 'POST',
        path: AUDIT_ROUTE_PATH,
        headers: { 'Content-Length': String(body.length) },
        chunks: [body],
      });
      assertOutcome(res, {
        status: 415,
        issue: 'not-supported',
        code: 'ENLACE_UNSUPPORTED_MEDIA_TYPE',
      });
      await assertNothingWritten();
    });
  });

  describe('unexpected failures', () => {
    it('answers a handler crash with a generic 500 that quotes only the request id', async () => {
      const res = await request(server.url).get(FAILING_ROUTE_PATH).set('X-Request-Id', 'crash-1');
      const outcome = assertOutcome(res, {
        status: 500,
        issue: 'exception',
        code: 'ENLACE_INTERNAL',
      });
      const text = outcome.issue[0]?.details?.text ?? '';
      assert.ok(text.includes('crash-1'), text);
      for (const leak of ['SELECT', '/etc', 'Error', 'at ', 'secret', 'passwd']) {
        assert.ok(!text.includes(leak), `"${text}" contains ${leak}`);
        assert.ok(!res.text.includes(leak), `the body contains ${leak}`);
      }
      assert.doesNotMatch(res.text, /\bat \S+ \(/);
    });

    it('logs the detail of a crash for the operator, under the request id', async () => {
      await request(server.url).get(FAILING_ROUTE_PATH).set('X-Request-Id', 'crash-2');
      await log.waitFor((record) => record.msg === 'request failed' && record.reqId === 'crash-2');
      assert.ok(log.text.includes(LEAKY_FAILURE_MESSAGE));
    });
  });
});
