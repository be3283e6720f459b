import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { createRequire } from 'node:module';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { DOCS_CONTENT_SECURITY_POLICY } from '../../src/http/docs-routes.js';
import { loadOpenApiDocument } from '../../src/http/openapi-document.js';
import { assertOutcome, type ReceivedResponse } from '../support/outcome.js';
import {
  createTestServices,
  listenLocal,
  type LocalServer,
  type TestServices,
} from '../support/test-app.js';

const YEAR_IMMUTABLE = 'public, max-age=31536000, immutable';

/** A GET whose path goes out byte for byte: URL parsers would resolve `..` before sending it. */
function getRaw(server: LocalServer, path: string): Promise<ReceivedResponse> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: server.port, path }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('error', reject);
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(parts).toString('utf8'),
        });
      });
    }).on('error', reject);
  });
}

const strongEtag = (body: Buffer): string =>
  `"${createHash('sha256').update(body).digest('base64url')}"`;

describe('GET /docs, the interactive API reference', () => {
  let ctx: TestServices;
  let server: LocalServer;
  /** `docs/<name>` of every script, style sheet and icon the page links. */
  let linked: string[];

  before(async () => {
    ctx = await createTestServices();
    server = await listenLocal(createApp(ctx.services));
    const page = await request(server.url).get('/docs');
    linked = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
  });

  after(async () => {
    await server.close();
    await ctx.dispose();
  });

  it('answers an HTML page under the /docs policy, revalidated on every visit', async () => {
    const res = await request(server.url).get('/docs').set('Accept', 'text/html');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.headers['content-security-policy'], DOCS_CONTENT_SECURITY_POLICY);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers.etag, strongEtag(Buffer.from(res.text)));
    // The gateway's other headers stay as they are on every answer.
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.match(res.text, /<div id="swagger-ui"><\/div>/);
    assert.doesNotMatch(res.text, /<script>|<style|style=/, 'no inline script or style');
  });

  it('links only files of this gateway, by hashed name, and the document', () => {
    assert.deepEqual(
      linked.filter((url) => !/^docs\/[a-z-]+\.[0-9a-f]{12}\.(?:css|js|png)$/.test(url)),
      ['openapi.json'],
    );
    assert.equal(linked.length, 5);
  });

  it('serves each linked file for a year as immutable, with a strong ETag of its bytes', async () => {
    for (const url of linked.filter((candidate) => candidate.startsWith('docs/'))) {
      const res = await request(server.url)
        .get(`/${url}`)
        .buffer(true)
        .parse((response, done) => {
          const parts: Buffer[] = [];
          response.on('data', (part: Buffer) => parts.push(part));
          response.on('end', () => {
            done(null, Buffer.concat(parts));
          });
        });
      assert.equal(res.status, 200, url);
      const body = res.body as Buffer;
      assert.equal(res.headers['cache-control'], YEAR_IMMUTABLE, url);
      assert.equal(res.headers.etag, strongEtag(body), url);
      assert.equal(res.headers['content-security-policy'], DOCS_CONTENT_SECURITY_POLICY);
      const hash = /\.([0-9a-f]{12})\.[a-z]+$/.exec(url)?.[1];
      assert.equal(hash, createHash('sha256').update(body).digest('hex').slice(0, 12), url);
      const type = url.endsWith('.js')
        ? 'text/javascript; charset=utf-8'
        : url.endsWith('.css')
          ? 'text/css; charset=utf-8'
          : 'image/png';
      assert.equal(res.headers['content-type'], type, url);
    }
  });

  it('serves Swagger UI as swagger-ui-dist ships it', async () => {
    const bundle = linked.find((url) => url.startsWith('docs/swagger-ui-bundle.'));
    assert.ok(bundle !== undefined);
    const shipped = await readFile(
      createRequire(import.meta.url).resolve('swagger-ui-dist/swagger-ui-bundle.js'),
    );
    const res = await request(server.url).get(`/${bundle}`);
    assert.equal(res.headers.etag, strongEtag(shipped));
  });

  it('answers 304 to If-None-Match naming the page or a file', async () => {
    for (const path of ['/docs', `/${linked[0] ?? ''}`]) {
      const first = await request(server.url).get(path);
      const etag = String(first.headers.etag);
      const again = await request(server.url).get(path).set('If-None-Match', `W/${etag}`);
      assert.equal(again.status, 304, path);
      assert.equal(again.text, '');
      assert.equal(again.headers.etag, etag);
      assert.equal(again.headers['cache-control'], first.headers['cache-control']);
      const changed = await request(server.url).get(path).set('If-None-Match', '"other"');
      assert.equal(changed.status, 200, path);
    }
  });

  for (const path of [
    '/docs/../package.json',
    '/docs/..%2Fpackage.json',
    '/docs/%2e%2e%2fpackage.json',
    '/docs/..%5Cpackage.json',
    '/docs/%2E%2E',
    '/docs/..%2F..%2Fopenapi%2Fenlace.yaml',
    '/docs/swagger-ui-bundle.js',
    '/docs/swagger-ui-bundle.js.map',
    '/docs/index.html',
    '/docs/swagger-initializer.js',
    '/docs/oauth2-redirect.html',
    '/docs/',
  ]) {
    it(`refuses ${path} with a 404 OperationOutcome`, async () => {
      const res = await getRaw(server, path);
      assertOutcome(res, { status: 404, issue: 'not-found', code: 'ENLACE_ROUTE_NOT_FOUND' });
      assert.doesNotMatch(res.text, /"name": "enlace"|openapi: 3/);
      // Refusals keep the gateway's own policy, not the page's.
      assert.equal(
        res.headers['content-security-policy'],
        "default-src 'none'; frame-ancestors 'none'",
      );
    });
  }

  it('refuses 406 when Accept excludes what is asked for', async () => {
    const page = await request(server.url).get('/docs').set('Accept', 'application/fhir+json');
    assertOutcome(page, { status: 406, issue: 'not-supported', code: 'ENLACE_NOT_ACCEPTABLE' });
    const styles = linked.find((url) => url.endsWith('.css'));
    const file = await request(server.url)
      .get(`/${styles ?? ''}`)
      .set('Accept', 'text/javascript');
    assertOutcome(file, { status: 406, issue: 'not-supported', code: 'ENLACE_NOT_ACCEPTABLE' });
  });

  it('lets Try it out send a pasted token wherever the SMART flow is required', async () => {
    const document = (await loadOpenApiDocument()) as {
      paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
      components: { securitySchemes: Record<string, Record<string, unknown>> };
    };
    const schemes = document.components.securitySchemes;
    assert.equal(
      (schemes.smartBackend?.flows as { clientCredentials?: { tokenUrl?: string } })
        .clientCredentials?.tokenUrl,
      '/oauth2/token',
    );
    assert.deepEqual(
      { type: schemes.smartAccessToken?.type, scheme: schemes.smartAccessToken?.scheme },
      { type: 'http', scheme: 'bearer' },
    );
    const missing: string[] = [];
    let checked = 0;
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const alternatives = operation.security ?? [];
        if (!alternatives.some((requirement) => 'smartBackend' in requirement)) continue;
        checked += 1;
        if (!alternatives.some((requirement) => 'smartAccessToken' in requirement)) {
          missing.push(`${method.toUpperCase()} ${path}`);
        }
      }
    }
    assert.ok(checked > 0);
    assert.deepEqual(missing, []);
  });
});
