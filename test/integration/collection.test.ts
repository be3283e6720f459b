import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import bruno, { type BruRequest } from '@usebruno/lang';
import type { Express } from 'express';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import {
  COLLECTION_DIR,
  collectionDrift,
  filesUnder,
  generateCollection,
  OPENAPI_FILE,
  writeCollection,
} from '../../scripts/collection/build-collection.js';
import {
  buildCollection,
  type OpenApiDocument,
} from '../../scripts/collection/openapi-to-bruno.js';
import { createApp } from '../../src/app.js';
import { partnerAuthorizer, registerTestPartner } from './referrals/referral-fixtures.js';
import { createTestServices, type TestServices } from '../support/test-app.js';

interface Operation {
  readonly operationId: string;
  readonly summary?: string;
  readonly tags: readonly string[];
  readonly security?: readonly Record<string, readonly string[]>[];
  readonly parameters?: readonly { readonly $ref?: string; readonly in?: string }[];
  readonly requestBody?: { readonly content: Record<string, unknown> };
  readonly responses: Record<string, { readonly content?: Record<string, unknown> }>;
}

const document = parseYaml(readFileSync(OPENAPI_FILE, 'utf8')) as {
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
};
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  METHODS.flatMap((method) => {
    const operation = item[method];
    return operation === undefined ? [] : [{ path, method, operation }];
  }),
);

const read = (path: string): string => readFileSync(join(COLLECTION_DIR, path), 'utf8');
const isRequestFile = (path: string): boolean =>
  path.endsWith('.bru') &&
  !path.endsWith('/folder.bru') &&
  path !== 'collection.bru' &&
  !path.startsWith('environments/');
const requests = new Map(
  filesUnder(COLLECTION_DIR)
    .filter(isRequestFile)
    .map((path) => [path, bruno.bruToJsonV2(read(path))]),
);

/** The variable a partner's token (SMART) or an operator's session is read from, as documented. */
function expectedToken(operation: Operation): string | undefined {
  const scheme = Object.keys(operation.security?.[0] ?? {})[0];
  if (scheme === undefined) return undefined;
  if (scheme === 'operatorSession') return '{{operatorToken}}';
  return scheme === 'metricsToken' ? '{{metricsToken}}' : '{{token}}';
}

const headerOf = (parsed: BruRequest, name: string) =>
  parsed.headers?.find((header) => header.name.toLowerCase() === name.toLowerCase());

describe('the Bruno collection in collection/', () => {
  it('is what openapi/enlace.yaml generates (npm run collection:build)', () => {
    assert.deepEqual(collectionDrift(generateCollection(), COLLECTION_DIR), []);
  });

  it('parses with Bruno’s own parser, every file', () => {
    const files = filesUnder(COLLECTION_DIR);
    assert.ok(files.length > operations.length);
    for (const path of files) {
      if (path === 'bruno.json') {
        assert.deepEqual(JSON.parse(read(path)), {
          version: '1',
          name: 'Enlace',
          type: 'collection',
        });
      } else if (path.startsWith('environments/')) {
        assert.ok(bruno.bruToEnvJsonV2(read(path)).variables.length > 0, path);
      } else if (path.endsWith('/folder.bru') || path === 'collection.bru') {
        assert.ok(bruno.collectionBruToJson(read(path)).docs, path);
      } else {
        assert.ok(requests.get(path)?.http, path);
      }
    }
  });

  it('has one request per operation, in the folder of its first tag, and no other', () => {
    assert.equal(requests.size, operations.length);
    for (const { path, method, operation } of operations) {
      const file = `${operation.tags[0] ?? ''}/${operation.operationId}.bru`;
      const parsed = requests.get(file);
      assert.ok(parsed?.http, `${file} for ${method.toUpperCase()} ${path}`);
      assert.equal(parsed.http.method, method, file);
      assert.equal(parsed.meta?.name, operation.summary ?? operation.operationId, file);
      const [url] = parsed.http.url.split('?');
      assert.equal(url, `{{baseUrl}}${path.replace(/\{([^}]+)\}/g, ':$1')}`, file);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      const pathParams = (parsed.params ?? []).filter((p) => p.type === 'path').map((p) => p.name);
      assert.deepEqual(pathParams, templated, file);
    }
  });

  it('numbers the requests of each folder 1, 2, … in the order of the document', () => {
    const byFolder = new Map<string, number[]>();
    for (const [file, parsed] of requests) {
      const folder = file.split('/')[0] ?? '';
      byFolder.set(folder, [...(byFolder.get(folder) ?? []), Number(parsed.meta?.seq)]);
    }
    for (const [folder, seqs] of byFolder) {
      assert.deepEqual(
        [...seqs].sort((a, b) => a - b),
        seqs.map((_, index) => index + 1),
        folder,
      );
    }
  });

  it('sends the bearer token each operation’s security asks for, and none where it asks none', () => {
    for (const { operation } of operations) {
      const parsed = requests.get(`${operation.tags[0] ?? ''}/${operation.operationId}.bru`);
      assert.ok(parsed?.http, operation.operationId);
      const token = expectedToken(operation);
      if (token === undefined) {
        assert.equal(parsed.http.auth, 'none', operation.operationId);
        assert.equal(parsed.auth?.bearer, undefined, operation.operationId);
      } else {
        assert.equal(parsed.http.auth, 'bearer', operation.operationId);
        assert.equal(parsed.auth?.bearer?.token, token, operation.operationId);
      }
    }
  });

  it('sends a body of the media type the operation takes first, and asks for what it answers', () => {
    for (const { operation } of operations) {
      const parsed = requests.get(`${operation.tags[0] ?? ''}/${operation.operationId}.bru`);
      assert.ok(parsed?.http);
      const consumes = Object.keys(operation.requestBody?.content ?? {})[0];
      const success = Object.entries(operation.responses).find(([status]) =>
        status.startsWith('2'),
      );
      const produces = Object.keys(success?.[1].content ?? {})[0];
      assert.equal(headerOf(parsed, 'Accept')?.value, produces, operation.operationId);
      assert.equal(headerOf(parsed, 'Content-Type')?.value, consumes, operation.operationId);
      if (consumes === undefined) assert.equal(parsed.http.body, 'none');
      else if (/[/+]json$/.test(consumes)) {
        assert.equal(parsed.http.body, 'json', operation.operationId);
        assert.doesNotThrow(() => JSON.parse(parsed.body?.json ?? ''), operation.operationId);
      } else if (consumes === 'application/x-www-form-urlencoded') {
        assert.equal(parsed.http.body, 'formUrlEncoded', operation.operationId);
        assert.ok((parsed.body?.formUrlEncoded ?? []).some((field) => field.enabled));
      } else assert.equal(parsed.http.body, 'text', operation.operationId);
    }
  });

  it('keeps the token the token endpoint answers for the other requests', () => {
    const parsed = requests.get('authorization/requestAccessToken.bru');
    assert.match(
      parsed?.script?.res ?? '',
      /bru\.setEnvVar\("token", res\.getBody\(\)\.access_token\)/,
    );
  });

  it('has an environment local for the gateway of npm start, its tokens kept secret', () => {
    const environment = bruno.bruToEnvJsonV2(read('environments/local.bru'));
    const variable = (name: string) => environment.variables.find((v) => v.name === name);
    assert.equal(document.servers[0]?.url, 'http://127.0.0.1:8080');
    assert.equal(variable('baseUrl')?.value, 'http://127.0.0.1:8080');
    assert.equal(variable('token')?.secret, true);
    assert.equal(variable('operatorToken')?.secret, true);
    // Every {{variable}} a request uses is one the environment declares.
    const declared = new Set(environment.variables.map((v) => v.name));
    for (const [file] of requests) {
      for (const [, name] of read(file).matchAll(/\{\{([^}]+)\}\}/g)) {
        assert.ok(declared.has(name ?? ''), `${file} uses {{${name ?? ''}}}`);
      }
    }
  });

  it('takes bodies from examples beside the document, repeats array parameters, refuses unknown schemes', () => {
    const small = (security: Record<string, string[]>[]): OpenApiDocument => ({
      info: { title: 'Small', version: '1' },
      servers: [{ url: 'http://127.0.0.1:8080' }],
      paths: {
        '/fhir/Consent': {
          post: {
            operationId: 'createConsent',
            tags: ['consent'],
            security,
            parameters: [
              {
                name: 'date',
                in: 'query',
                required: true,
                schema: { type: 'array', examples: [['ge2025-03-01', 'lt2025-04-01']] },
              },
            ],
            requestBody: {
              content: {
                'application/fhir+json': {
                  examples: { record: { externalValue: '../examples/consent/record.json' } },
                },
              },
            },
            responses: { '201': { description: 'Recorded.' } },
          },
        },
      },
    });
    const built = buildCollection(small([{ smartAccessToken: [] }]), dirname(OPENAPI_FILE));
    const parsed = bruno.bruToJsonV2(built.files.get('consent/createConsent.bru') ?? '');
    assert.deepEqual(
      JSON.parse(parsed.body?.json ?? ''),
      JSON.parse(
        readFileSync(new URL('../../examples/consent/record.json', import.meta.url), 'utf8'),
      ),
    );
    assert.equal(parsed.http?.url, '{{baseUrl}}/fhir/Consent?date=ge2025-03-01&date=lt2025-04-01');
    assert.equal(parsed.auth?.bearer?.token, '{{token}}');
    assert.throws(
      () => buildCollection(small([{ apiKey: [] }]), dirname(OPENAPI_FILE)),
      /POST \/fhir\/Consent: security scheme apiKey has no token variable/,
    );
  });

  it('reports every changed, missing and stray file as drift, and writes them right', () => {
    const copy = mkdtempSync(join(tmpdir(), 'enlace-collection-'));
    try {
      cpSync(COLLECTION_DIR, copy, { recursive: true });
      writeFileSync(join(copy, 'referrals/processMessage.bru'), 'meta {\n  name: x\n}\n');
      rmSync(join(copy, 'environments/local.bru'));
      writeFileSync(join(copy, 'referrals/oldOperation.bru'), 'get {\n  url: x\n}\n');
      const expected = generateCollection();
      assert.deepEqual(collectionDrift(expected, copy), [
        'referrals/processMessage.bru differs',
        'environments/local.bru is missing',
        'referrals/oldOperation.bru is not generated from the document',
      ]);
      writeCollection(expected, copy);
      assert.deepEqual(collectionDrift(expected, copy), []);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('the collection’s GET requests, sent to a gateway', function () {
  let test: TestServices;
  let app: Express;

  before(async () => {
    const partners = [] as Awaited<ReturnType<typeof registerTestPartner>>[];
    test = await createTestServices({ authorize: partnerAuthorizer(() => partners) });
    partners.push(await registerTestPartner(test.store, 'police-central', 'police'));
    app = createApp(test.services);
  });
  after(() => test.dispose());

  it('answers each one with a status its operation documents', async () => {
    const variables: Record<string, string> = {
      baseUrl: '',
      token: 'police-central',
      operatorToken: 'no-session',
    };
    const fill = (value: string) =>
      value.replace(/\{\{([^}]+)\}\}/g, (_, name: string) => variables[name] ?? '');
    let sent = 0;
    for (const { path, method, operation } of operations) {
      const parsed = requests.get(`${operation.tags[0] ?? ''}/${operation.operationId}.bru`);
      if (method !== 'get' || path.includes('{') || parsed?.http === undefined) continue;
      let call = request(app).get(fill(parsed.http.url));
      for (const header of parsed.headers ?? []) {
        if (header.enabled) call = call.set(header.name, fill(header.value));
      }
      const token = parsed.auth?.bearer?.token;
      if (parsed.http.auth === 'bearer' && token !== undefined) {
        call = call.set('Authorization', `Bearer ${fill(token)}`);
      }
      const res = await call;
      const documented = Object.keys(operation.responses);
      assert.ok(
        documented.includes(String(res.status)) || documented.includes('default'),
        `${operation.operationId} answered ${res.status}, documented ${documented.join(', ')}`,
      );
      assert.ok(res.status < 500, `${operation.operationId}: ${res.text.slice(0, 200)}`);
      sent += 1;
    }
    assert.ok(sent >= 20, `${sent} requests sent`);
  });
});
