import assert from 'node:assert/strict';
import { buildRouteTable } from '../../src/app.js';
import { loadOpenApiDocument } from '../../src/http/openapi-document.js';
import type { Route } from '../../src/http/route.js';
import { createTestServices, type TestServices } from '../support/test-app.js';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface DocumentedOperation {
  /** `GET /fhir/Task/{id}` */
  readonly key: string;
  readonly operationId: string | undefined;
  readonly responses: Readonly<Record<string, unknown>>;
}

type JsonObject = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Express `:id` becomes OpenAPI `{id}`. */
const toOpenApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const routeKey = (route: Route): string => `${route.method} ${toOpenApiPath(route.path)}`;

/** Follows a local `$ref` (`#/components/...`) to its target. */
function resolveRef(document: JsonObject, value: unknown): unknown {
  if (!isObject(value) || typeof value.$ref !== 'string') return value;
  const ref = value.$ref;
  assert.ok(ref.startsWith('#/'), `only local references are expected, got ${ref}`);
  let target: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    assert.ok(isObject(target), `${ref} resolves`);
    target = target[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  assert.ok(target !== undefined, `${ref} resolves`);
  return resolveRef(document, target);
}

function documentedOperations(document: JsonObject): DocumentedOperation[] {
  const paths = document.paths;
  assert.ok(isObject(paths), 'the document has paths');
  const operations: DocumentedOperation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    const pathItem = resolveRef(document, item);
    assert.ok(isObject(pathItem), `${path} is a path item`);
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (operation === undefined) continue;
      assert.ok(isObject(operation), `${method} ${path} is an operation`);
      const responses = operation.responses;
      assert.ok(isObject(responses), `${method} ${path} has responses`);
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        operationId: typeof operation.operationId === 'string' ? operation.operationId : undefined,
        responses,
      });
    }
  }
  return operations;
}

describe('OpenAPI document and route table', () => {
  let ctx: TestServices;
  let document: JsonObject;
  let routes: Route[];
  let operations: Map<string, DocumentedOperation>;

  before(async () => {
    ctx = await createTestServices();
    document = await loadOpenApiDocument();
    routes = buildRouteTable(ctx.services);
    operations = new Map(documentedOperations(document).map((op) => [op.key, op]));
  });

  after(async () => {
    await ctx.dispose();
  });

  it('is an OpenAPI 3.1 document with operations', () => {
    assert.match(String(document.openapi), /^3\.1\./);
    assert.ok(operations.size > 0);
  });

  it('is the document the app serves', () => {
    assert.deepEqual(ctx.services.openapi, document);
  });

  it('has one route per method and path', () => {
    const keys = routes.map(routeKey);
    assert.deepEqual(
      keys.filter((key, index) => keys.indexOf(key) !== index),
      [],
    );
  });

  it('documents every route with the same operationId', () => {
    for (const route of routes) {
      const operation = operations.get(routeKey(route));
      assert.ok(operation !== undefined, `${routeKey(route)} is missing from openapi/enlace.yaml`);
      assert.equal(operation.operationId, route.operationId, `operationId of ${routeKey(route)}`);
    }
  });

  it('serves every documented operation', () => {
    const served = new Map(routes.map((route) => [routeKey(route), route]));
    for (const [key, operation] of operations) {
      const route = served.get(key);
      assert.ok(route !== undefined, `${key} is documented but not served`);
      assert.equal(route.operationId, operation.operationId);
    }
  });

  it('gives every operation a unique operationId', () => {
    const ids = [...operations.values()].map((op) => op.operationId);
    assert.ok(
      ids.every((id) => id !== undefined),
      'every operation has an operationId',
    );
    assert.equal(new Set(ids).size, ids.length);
  });

  it("describes every route's error response bodies with the OperationOutcome schema", () => {
    const outcomeRef = '#/components/schemas/OperationOutcome';
    let checked = 0;
    // Why: routes answering in OAuth error JSON (RFC 6749 §5.2) are the one deliberate exception.
    for (const route of routes.filter((candidate) => candidate.errorFormat !== 'oauth')) {
      const key = routeKey(route);
      const operation = operations.get(key);
      assert.ok(operation !== undefined, `${key} is missing from openapi/enlace.yaml`);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!/^[45]/.test(status)) continue;
        const resolved = resolveRef(document, response);
        assert.ok(isObject(resolved), `${key} ${status} is a response`);
        if (resolved.content === undefined) continue;
        assert.ok(isObject(resolved.content), `${key} ${status} content`);
        for (const [mediaType, media] of Object.entries(resolved.content)) {
          assert.equal(mediaType, 'application/fhir+json', `${key} ${status} media type`);
          assert.ok(isObject(media), `${key} ${status} ${mediaType}`);
          assert.ok(isObject(media.schema), `${key} ${status} ${mediaType} has a schema`);
          assert.equal(media.schema.$ref, outcomeRef, `${key} ${status} ${mediaType} schema`);
          checked += 1;
        }
      }
    }
    assert.ok(checked > 0, 'some error responses were checked');
  });

  it('documents 406 for every route, since every route negotiates its answer', () => {
    for (const route of routes) {
      const operation = operations.get(routeKey(route));
      assert.ok(operation !== undefined, `${routeKey(route)} is missing from openapi/enlace.yaml`);
      assert.ok('406' in operation.responses, `${routeKey(route)} documents 406`);
    }
  });

  it('documents 415 and 413 for every route that takes a body', () => {
    for (const route of routes.filter((candidate) => candidate.consumes !== undefined)) {
      const operation = operations.get(routeKey(route));
      assert.ok(operation !== undefined, `${routeKey(route)} is missing from openapi/enlace.yaml`);
      for (const status of ['400', '413', '415']) {
        assert.ok(status in operation.responses, `${routeKey(route)} documents ${status}`);
      }
    }
  });
});
