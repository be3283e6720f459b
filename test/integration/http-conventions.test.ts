import assert from 'node:assert/strict';
import type { CapabilityStatement } from '@medplum/fhirtypes';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import type { AppServices } from '../../src/http/services.js';
import { readPackageInfo } from '../../src/kernel/index.js';
import { FHIR_JSON_UTF8, assertOutcome, requestIdOfOutcome } from '../support/outcome.js';
import {
  TEST_PUBLIC_URL,
  createTestServices,
  listenLocal,
  type LocalServer,
  type TestServices,
} from '../support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Paths of empty arrays in a JSON value; FHIR JSON never allows one (R4 json.html). */
function emptyArrays(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [path];
    return value.flatMap((item, index) => emptyArrays(item, `${path}[${index}]`));
  }
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => emptyArrays(inner, `${path}.${key}`));
}

describe('HTTP conventions', () => {
  let ctx: TestServices;
  let server: LocalServer;

  /** Serves an app over these services for the duration of one test. */
  async function serve(services: AppServices): Promise<LocalServer> {
    const local = await listenLocal(createApp(services));
    extraServers.push(local);
    return local;
  }
  const extraServers: LocalServer[] = [];

  before(async () => {
    ctx = await createTestServices();
    server = await listenLocal(createApp(ctx.services));
  });

  afterEach(async () => {
    await Promise.all(extraServers.splice(0).map((local) => local.close()));
  });

  after(async () => {
    await server.close();
    await ctx.dispose();
  });

  describe('GET /fhir/metadata', () => {
    it('answers 200 with a CapabilityStatement as FHIR JSON', async () => {
      const res = await request(server.url).get('/fhir/metadata');
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], FHIR_JSON_UTF8);
      const statement = JSON.parse(res.text) as CapabilityStatement;
      assert.equal(statement.resourceType, 'CapabilityStatement');
      assert.equal(statement.fhirVersion, '4.0.1');
      assert.equal(statement.kind, 'instance');
      assert.ok(statement.format.includes('json'));
      assert.ok(statement.format.includes('application/fhir+json'));
      assert.equal(statement.rest?.[0]?.mode, 'server');
    });

    it('names the software and version from package.json', async () => {
      const pkg = readPackageInfo();
      const res = await request(server.url).get('/fhir/metadata');
      const statement = JSON.parse(res.text) as CapabilityStatement;
      assert.equal(statement.software?.version, pkg.version);
      assert.equal(statement.software.name, pkg.name);
    });

    it('gives the public URL plus /fhir as the implementation URL', async () => {
      const res = await request(server.url).get('/fhir/metadata');
      const statement = JSON.parse(res.text) as CapabilityStatement;
      assert.equal(statement.implementation?.url, `${TEST_PUBLIC_URL}/fhir`);
    });

    it('dates the statement from the start time', async () => {
      const res = await request(server.url).get('/fhir/metadata');
      const statement = JSON.parse(res.text) as CapabilityStatement;
      assert.equal(statement.date, '2025-03-01');
    });

    it('contains no empty arrays, which FHIR JSON forbids', async () => {
      const res = await request(server.url).get('/fhir/metadata');
      assert.deepEqual(emptyArrays(JSON.parse(res.text)), []);
    });
  });

  describe('content negotiation', () => {
    for (const format of ['json', 'application/fhir+json', 'application/json']) {
      it(`honours _format=${format}`, async () => {
        const res = await request(server.url)
          .get('/fhir/metadata')
          .query({ _format: format })
          .set('Accept', 'application/xml');
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-type'], FHIR_JSON_UTF8);
      });
    }

    it('refuses _format=xml with 406', async () => {
      const res = await request(server.url).get('/fhir/metadata?_format=xml');
      assertOutcome(res, { status: 406, issue: 'not-supported', code: 'ENLACE_NOT_ACCEPTABLE' });
    });

    it('refuses Accept: application/xml with 406', async () => {
      const res = await request(server.url).get('/fhir/metadata').set('Accept', 'application/xml');
      assertOutcome(res, { status: 406, issue: 'not-supported', code: 'ENLACE_NOT_ACCEPTABLE' });
    });

    it('refuses Accept: application/fhir+xml with 406', async () => {
      const res = await request(server.url)
        .get('/fhir/metadata')
        .set('Accept', 'application/fhir+xml');
      assertOutcome(res, { status: 406, issue: 'not-supported', code: 'ENLACE_NOT_ACCEPTABLE' });
    });

    it('answers Accept: application/json with JSON', async () => {
      const res = await request(server.url).get('/fhir/metadata').set('Accept', 'application/json');
      assert.equal(res.status, 200);
      assert.match(
        res.headers['content-type'] ?? '',
        /^application\/(fhir\+)?json; charset=utf-8$/,
      );
      assert.equal(
        (JSON.parse(res.text) as CapabilityStatement).resourceType,
        'CapabilityStatement',
      );
    });

    it('answers Accept: */* and a missing Accept with FHIR JSON', async () => {
      const any = await request(server.url).get('/fhir/metadata').set('Accept', '*/*');
      assert.equal(any.status, 200);
      assert.equal(any.headers['content-type'], FHIR_JSON_UTF8);
      const none = await request(server.url).get('/fhir/metadata');
      assert.equal(none.status, 200);
      assert.equal(none.headers['content-type'], FHIR_JSON_UTF8);
    });

    it('prefers JSON when Accept lists XML first and JSON second', async () => {
      const res = await request(server.url)
        .get('/fhir/metadata')
        .set('Accept', 'application/fhir+xml, application/fhir+json;q=0.5');
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], FHIR_JSON_UTF8);
    });
  });

  describe('routing', () => {
    it('answers an unknown route with a FHIR 404', async () => {
      const res = await request(server.url).get('/fhir/Nothing/here');
      assertOutcome(res, { status: 404, issue: 'not-found', code: 'ENLACE_ROUTE_NOT_FOUND' });
    });

    it('matches paths strictly: a trailing slash is a different route', async () => {
      const res = await request(server.url).get('/fhir/metadata/');
      assertOutcome(res, { status: 404, issue: 'not-found', code: 'ENLACE_ROUTE_NOT_FOUND' });
    });

    it('answers a wrong method with 405 and an Allow header', async () => {
      const res = await request(server.url)
        .post('/fhir/metadata')
        .set('Content-Type', 'application/fhir+json')
        .send('{}');
      assertOutcome(res, {
        status: 405,
        issue: 'not-supported',
        code: 'ENLACE_METHOD_NOT_ALLOWED',
      });
      assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
    });

    it('answers DELETE on /healthz with 405', async () => {
      const res = await request(server.url).delete('/healthz');
      assertOutcome(res, {
        status: 405,
        issue: 'not-supported',
        code: 'ENLACE_METHOD_NOT_ALLOWED',
      });
      assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
    });

    it('answers OPTIONS with 204 and the allowed methods', async () => {
      const res = await request(server.url).options('/fhir/metadata');
      assert.equal(res.status, 204);
      assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
      assert.equal(res.text, '');
    });

    it('answers HEAD like GET without a body', async () => {
      const res = await request(server.url).head('/fhir/metadata');
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], FHIR_JSON_UTF8);
      assert.equal(res.text, undefined);
    });
  });

  describe('request ids', () => {
    it('echoes a safe X-Request-Id', async () => {
      const res = await request(server.url).get('/healthz').set('X-Request-Id', 'abc-123.def:4_5');
      assert.equal(res.headers['x-request-id'], 'abc-123.def:4_5');
    });

    it('generates an id when the request has none', async () => {
      const res = await request(server.url).get('/healthz');
      assert.match(res.headers['x-request-id'] ?? '', UUID);
    });

    const unsafe: readonly [string, string][] = [
      ['contains spaces', 'abc def'],
      ['is 200 characters long', 'a'.repeat(200)],
      ['contains a quote and angle brackets', '<script>"x"</script>'],
      ['contains a line-break look-alike', 'abc\\r\\nSet-Cookie:x'],
    ];
    for (const [what, id] of unsafe) {
      it(`replaces an X-Request-Id that ${what}`, async () => {
        const res = await request(server.url).get('/healthz').set('X-Request-Id', id);
        assert.match(res.headers['x-request-id'] ?? '', UUID);
      });
    }

    it('accepts an id of exactly 128 characters', async () => {
      const id = 'b'.repeat(128);
      const res = await request(server.url).get('/healthz').set('X-Request-Id', id);
      assert.equal(res.headers['x-request-id'], id);
    });

    it('carries the echoed id in an OperationOutcome', async () => {
      const res = await request(server.url).get('/nowhere').set('X-Request-Id', 'trace-77');
      const outcome = assertOutcome(res, {
        status: 404,
        issue: 'not-found',
        code: 'ENLACE_ROUTE_NOT_FOUND',
      });
      assert.equal(requestIdOfOutcome(outcome), 'trace-77');
    });

    it('carries the replacement id, not the unsafe one, in an OperationOutcome', async () => {
      const res = await request(server.url).get('/nowhere').set('X-Request-Id', 'has spaces in it');
      const outcome = assertOutcome(res, {
        status: 404,
        issue: 'not-found',
        code: 'ENLACE_ROUTE_NOT_FOUND',
      });
      assert.match(requestIdOfOutcome(outcome) ?? '', UUID);
      assert.ok(!res.text.includes('has spaces'));
    });
  });

  describe('security headers', () => {
    for (const path of ['/fhir/metadata', '/healthz', '/nowhere']) {
      it(`sets nosniff, no-store and a locked-down CSP on ${path}`, async () => {
        const res = await request(server.url).get(path);
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
        assert.equal(res.headers['cache-control'], 'no-store');
        assert.equal(
          res.headers['content-security-policy'],
          "default-src 'none'; frame-ancestors 'none'",
        );
        assert.equal(res.headers['referrer-policy'], 'no-referrer');
        assert.equal(res.headers['x-powered-by'], undefined);
        assert.equal(res.headers.etag, undefined);
      });
    }

    it('asks clients to close the connection while draining', async () => {
      const draining = await serve({ ...ctx.services, isDraining: () => true });
      const res = await request(draining.url).get('/healthz');
      assert.equal(res.headers.connection, 'close');
    });
  });

  describe('liveness and readiness', () => {
    it('answers /healthz with 200 alive', async () => {
      const res = await request(server.url).get('/healthz');
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
      assert.deepEqual(JSON.parse(res.text), { status: 'alive' });
    });

    it('answers /readyz with 200 and the store checks', async () => {
      const res = await request(server.url).get('/readyz');
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
      const body = JSON.parse(res.text) as {
        status: string;
        checks: Record<string, { ok: boolean }>;
      };
      assert.equal(body.status, 'ready');
      assert.ok(Object.keys(body.checks).length > 0);
      for (const [name, check] of Object.entries(body.checks)) assert.equal(check.ok, true, name);
    });

    it('answers /readyz with 503 and an OperationOutcome when a store check fails', async () => {
      const failing = await serve({
        ...ctx.services,
        readiness: () =>
          Promise.resolve({
            ok: false,
            checks: {
              writable: { ok: true },
              'synchronous-full': { ok: false, detail: 'synchronous is NORMAL, FULL required' },
            },
          }),
      });
      const res = await request(failing.url).get('/readyz');
      const outcome = assertOutcome(res, {
        status: 503,
        issue: 'transient',
        code: 'ENLACE_NOT_READY',
      });
      assert.equal(res.headers['retry-after'], '5');
      assert.equal(outcome.issue.length, 1, 'one issue per failing check');
      assert.match(outcome.issue[0]?.details?.text ?? '', /^synchronous-full: /);
    });

    it('answers /readyz with 503 and an OperationOutcome while draining', async () => {
      const draining = await serve({ ...ctx.services, isDraining: () => true });
      const res = await request(draining.url).get('/readyz');
      assertOutcome(res, { status: 503, issue: 'transient', code: 'ENLACE_NOT_READY' });
    });

    it('answers /readyz with a generic 500 when the readiness check itself throws', async () => {
      const broken = await serve({
        ...ctx.services,
        readiness: () => Promise.reject(new Error('database is locked')),
      });
      const res = await request(broken.url).get('/readyz');
      assertOutcome(res, { status: 500, issue: 'exception', code: 'ENLACE_INTERNAL' });
      assert.ok(!res.text.includes('database is locked'));
    });
  });

  describe('GET /openapi.json', () => {
    it('serves the OpenAPI document as JSON', async () => {
      const res = await request(server.url).get('/openapi.json');
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
      assert.deepEqual(JSON.parse(res.text), JSON.parse(JSON.stringify(ctx.services.openapi)));
      assert.equal((JSON.parse(res.text) as { openapi: string }).openapi, '3.1.0');
    });
  });
});
