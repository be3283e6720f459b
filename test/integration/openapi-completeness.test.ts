import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { OPENAPI_FILE } from '../../scripts/collection/build-collection.js';
import { loadBaseDefinitions } from '../../scripts/profiles/base-definitions.js';
import {
  ACCEPTED_RESOURCE_TYPES,
  narrowSchema,
} from '../../scripts/profiles/generate-base-validator.js';
import { buildRouteTable } from '../../src/app.js';
import { ERROR_CODE_SYSTEM } from '../../src/fhir/operation-outcome.js';
import { UNPROTECTED_PATHS } from '../../src/http/rate-limit.js';
import type { Route } from '../../src/http/route.js';
import { errorRegistry, type ErrorSpec } from '../../src/kernel/errors.js';
import type { AccessRequirement, PersonRole } from '../../src/kernel/index.js';
import { checkEmptyElements } from '../../src/profiles/check-empty-elements.js';
import { loadProfiles } from '../../src/profiles/index.js';
import type { JsonValue } from '../../src/profiles/json-value.js';
import type { ValidationIssue } from '../../src/profiles/validation-issue.js';
import { messageHandlers } from '../../src/referrals/submission/message-handlers.js';
import { createTestServices } from '../support/test-app.js';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const document = parseYaml(readFileSync(OPENAPI_FILE, 'utf8')) as JsonObject;
const openapiDir = dirname(OPENAPI_FILE);
const PROFILES = fileURLToPath(new URL('../../profiles/', import.meta.url));
const PERSON_ROLES: readonly PersonRole[] = ['operator', 'auditor'];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * Routes that answer without the database (health, discovery, documentation, keys held in
 * memory): every other route documents 503, since any of them can meet a database that is down.
 */
const ANSWERED_WITHOUT_DATABASE = new Set([
  'getLiveness',
  'getCapabilityStatement',
  'getOpenApiDocument',
  'getApiReference',
  'getApiReferenceAsset',
  'getSmartConfiguration',
  'getRootSmartConfiguration',
  'getAuthorizationServerMetadata',
  'getJwks',
  'getAuditLogKey',
  // Reads the database, but answers without it: `enlace_database_figures_up 0`, the rest as usual.
  'getMetrics',
]);

/** Follows a local `$ref` to its target. */
function resolveRef(value: unknown, seen = 0): unknown {
  if (!isObject(value) || typeof value.$ref !== 'string') return value;
  const ref = value.$ref;
  assert.ok(ref.startsWith('#/') && seen < 16, `${ref} is a local reference`);
  let target: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    assert.ok(isObject(target), `${ref} resolves`);
    target = target[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  assert.ok(target !== undefined, `${ref} resolves`);
  return resolveRef(target, seen + 1);
}

const objectAt = (value: unknown): JsonObject => {
  const resolved = resolveRef(value);
  return isObject(resolved) ? resolved : {};
};

interface Operation {
  readonly where: string;
  readonly operationId: string;
  readonly operation: JsonObject;
}

const operations: Operation[] = [
  ...Object.entries(objectAt(document.paths)).map(([path, item]) => ({ path, item })),
  ...Object.entries(objectAt(document.webhooks)).map(([name, item]) => ({
    path: `webhook ${name}`,
    item,
  })),
].flatMap(({ path, item }) =>
  METHODS.flatMap((method) => {
    const operation = objectAt(item)[method];
    if (!isObject(operation)) return [];
    return [
      {
        where: `${method.toUpperCase()} ${path}`,
        operationId: String(operation.operationId),
        operation,
      },
    ];
  }),
);
const byId = new Map(operations.map((found) => [found.operationId, found]));

/** The example values of a media type or parameter (`example`, or each of `examples`). */
function examplesOf(holder: JsonObject): unknown[] {
  const values: unknown[] = [];
  if (holder.example !== undefined) values.push(holder.example);
  if (isObject(holder.examples)) {
    for (const named of Object.values(holder.examples)) {
      const example = objectAt(named);
      if (example.value !== undefined) values.push(example.value);
      else if (typeof example.externalValue === 'string') {
        values.push(readFileSync(resolve(openapiDir, example.externalValue), 'utf8'));
      }
    }
  }
  return values;
}

const contentOf = (response: unknown): [string, JsonObject][] =>
  Object.entries(objectAt(objectAt(response).content)).map(([type, media]) => [
    type,
    objectAt(media),
  ]);

const isBinary = (media: JsonObject): boolean => {
  const schema = objectAt(media.schema);
  return schema.format === 'binary';
};

const responsesOf = (operation: JsonObject): [string, unknown][] =>
  Object.entries(objectAt(operation.responses));

// ——— FHIR validation of the examples ———

const profileValidator = loadProfiles(PROFILES);
const baseDefinitions = loadBaseDefinitions();
const schemaByTypes = new Map<string, ValidateFunction>();

/** Every resourceType in `value`, itself and nested (Bundle entries, contained, parameters). */
function resourceTypesIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) resourceTypesIn(item, found);
  else if (isObject(value)) {
    if (typeof value.resourceType === 'string') found.add(value.resourceType);
    for (const member of Object.values(value)) resourceTypesIn(member, found);
  }
  return found;
}

/**
 * The problems of one FHIR example: the gateway's own validator (R4 structure and invariants, and
 * the Enlace profiles) where every resource in it is of a type the gateway takes, else the official
 * R4 JSON schema narrowed to its types and FHIR's no-empty-element rule, as for AuditEvents.
 */
function fhirProblems(resource: JsonObject): string[] {
  const types = [...resourceTypesIn(resource)].sort();
  const accepted: readonly string[] = ACCEPTED_RESOURCE_TYPES;
  if (types.every((type) => accepted.includes(type))) {
    return profileValidator
      .validate(resource)
      .filter((found) => found.severity === 'error')
      .map((found) => `${found.expression} ${found.text}`);
  }
  const key = types.join(',');
  let validate = schemaByTypes.get(key);
  if (validate === undefined) {
    const ajv = new Ajv({ strict: false, allErrors: true, discriminator: true });
    validate = ajv.compile(narrowSchema(baseDefinitions, types));
    schemaByTypes.set(key, validate);
  }
  const problems = validate(resource)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
  const empty: ValidationIssue[] = [];
  checkEmptyElements(resource as JsonValue, String(resource.resourceType), empty);
  return [...problems, ...empty.map((found) => found.text)];
}

/** Every example value anywhere in the document, with where it is; example values are not entered. */
function everyExample(): { where: string; value: unknown; example?: JsonObject }[] {
  const found: { where: string; value: unknown; example?: JsonObject }[] = [];
  const visit = (node: unknown, where: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        visit(item, `${where}/${index}`);
      });
      return;
    }
    if (!isObject(node)) return;
    for (const [key, member] of Object.entries(node)) {
      const at = `${where}/${key}`;
      if (key === 'example') found.push({ where: at, value: member });
      else if (key === 'examples' && Array.isArray(member)) {
        member.forEach((value, index) => {
          found.push({ where: `${at}/${index}`, value });
        });
      } else if (
        key === 'examples' &&
        isObject(member) &&
        !at.startsWith('#/components/examples')
      ) {
        for (const [name, named] of Object.entries(member)) {
          if (isObject(named) && typeof named.$ref === 'string') continue; // checked at its target
          const example = objectAt(named);
          found.push({ where: `${at}/${name}`, value: example.value, example });
        }
      } else visit(member, at);
    }
  };
  visit(document, '#');
  return found;
}
const allExamples = everyExample();

describe('openapi/enlace.yaml is complete', () => {
  it('gives every operation a summary and a description', () => {
    assert.ok(operations.length > 60);
    for (const { where, operation } of operations) {
      assert.ok(typeof operation.summary === 'string' && operation.summary.trim() !== '', where);
      assert.ok(
        typeof operation.description === 'string' && operation.description.trim().length > 20,
        `${where} has a description`,
      );
    }
  });

  it('shows an example of every success answer that has a body', () => {
    for (const { where, operation } of operations) {
      const successes = responsesOf(operation).filter(([status]) => /^2/.test(status));
      assert.ok(successes.length > 0, `${where} documents a success`);
      for (const [status, response] of successes) {
        const content = contentOf(response);
        if (content.length === 0 || content.every(([, media]) => isBinary(media))) continue;
        assert.ok(
          content.some(([, media]) => examplesOf(media).length > 0),
          `${where} ${status} has an example`,
        );
      }
    }
  });

  it('documents error answers for every operation, each with an example of its body', () => {
    for (const { where, operation } of operations) {
      const errors = responsesOf(operation).filter(([status]) => /^[45]|^default$/.test(status));
      assert.ok(errors.length > 0, `${where} documents an error`);
      for (const [status, response] of errors) {
        for (const [type, media] of contentOf(response)) {
          assert.ok(examplesOf(media).length > 0, `${where} ${status} ${type} has an example`);
        }
      }
    }
  });

  it('shows an example of every request body, in every media type it takes', () => {
    let bodies = 0;
    for (const { where, operation } of operations) {
      for (const [type, media] of contentOf(operation.requestBody)) {
        assert.ok(examplesOf(media).length > 0, `${where} request ${type} has an example`);
        bodies += 1;
      }
    }
    assert.ok(bodies > 20);
  });

  it('gives every required parameter a value to try', () => {
    for (const { where, operation } of operations) {
      for (const parameter of (Array.isArray(operation.parameters) ? operation.parameters : []).map(
        objectAt,
      )) {
        if (parameter.required !== true) continue;
        const schema = objectAt(parameter.schema);
        const stated =
          examplesOf(parameter).length > 0 ||
          (Array.isArray(schema.examples) && schema.examples.length > 0) ||
          schema.const !== undefined ||
          Array.isArray(schema.enum) ||
          schema.default !== undefined;
        assert.ok(stated, `${where} parameter ${String(parameter.name)} has an example`);
      }
    }
  });

  it('names each example and keeps those copied from a file equal to it', () => {
    let copies = 0;
    for (const [name, example] of Object.entries(
      objectAt(objectAt(document.components).examples),
    )) {
      assert.ok(isObject(example), name);
      assert.ok(typeof example.summary === 'string' && example.summary !== '', `${name} summary`);
      assert.ok((example.value === undefined) !== (example.externalValue === undefined), name);
      const source = example['x-enlace-example-file'];
      if (typeof source === 'string') {
        const content: unknown = JSON.parse(readFileSync(resolve(openapiDir, source), 'utf8'));
        assert.deepEqual(example.value, content, `${name} is ${source} as it stands`);
        copies += 1;
      }
    }
    assert.ok(copies >= 10);
    for (const { where, example } of allExamples) {
      if (example === undefined) continue;
      assert.ok(example.value !== undefined || example.externalValue !== undefined, where);
    }
  });

  it('has only examples that FHIR R4 and the Enlace profiles accept, where they are FHIR', () => {
    const values = [
      ...allExamples,
      ...Object.entries(objectAt(objectAt(document.components).examples)).map(
        ([name, example]) => ({
          where: `#/components/examples/${name}`,
          value: objectAt(example).value,
        }),
      ),
    ];
    let checked = 0;
    for (const { where, value } of values) {
      if (!isObject(value) || typeof value.resourceType !== 'string') continue;
      assert.deepEqual(fhirProblems(value), [], where);
      checked += 1;
    }
    assert.ok(checked > 60, `${checked} FHIR examples`);
  });

  it('gives every refusal example the status and issue type its error code has', () => {
    let checked = 0;
    for (const { where, operation } of operations) {
      for (const [status, response] of responsesOf(operation)) {
        if (!/^[45]/.test(status)) continue;
        for (const [type, media] of contentOf(response)) {
          for (const value of examplesOf(media)) {
            const example = objectAt(value);
            if (type === 'application/json' && typeof example.error === 'string') {
              const oauthCodes = objectAt(
                objectAt(objectAt(objectAt(document.components).schemas).OAuthError).properties,
              ).error;
              assert.ok(
                (objectAt(oauthCodes).enum as unknown[]).includes(example.error),
                `${where} ${status}: ${example.error}`,
              );
              continue;
            }
            assert.equal(example.resourceType, 'OperationOutcome', `${where} ${status}`);
            const issues = (example.issue as JsonObject[] | undefined) ?? [];
            for (const issue of issues) {
              const coding = (objectAt(issue.details).coding as JsonObject[] | undefined)?.[0];
              assert.ok(coding !== undefined, `${where} ${status} names an error code`);
              assert.equal(coding.system, ERROR_CODE_SYSTEM, where);
              const spec = (errorRegistry as Record<string, ErrorSpec>)[String(coding.code)];
              assert.ok(
                spec !== undefined,
                `${where} ${status}: ${String(coding.code)} is registered`,
              );
              assert.equal(
                spec.status,
                Number(status),
                `${where}: ${String(coding.code)} answers ${spec.status}`,
              );
              // A refusal with several problems (profile validation) gives each its own issue type.
              if (issues.length === 1) {
                assert.equal(issue.code, spec.issue, `${where}: ${String(coding.code)} issue type`);
              }
              checked += 1;
            }
          }
        }
      }
    }
    assert.ok(checked > 100, `${checked} refusal examples`);
  });

  it('shows a whole referral message, plain and as a compact JWE', () => {
    const content = objectAt(objectAt(byId.get('processMessage')?.operation.requestBody).content);
    const plain = examplesOf(objectAt(content['application/fhir+json']));
    assert.ok(
      plain.some((value) => {
        const bundle = objectAt(value);
        const header = objectAt(objectAt((bundle.entry as unknown[] | undefined)?.[0]).resource);
        return (
          bundle.type === 'message' && objectAt(header.eventCoding).code === 'referral-request'
        );
      }),
    );
    const sealed = examplesOf(objectAt(content['application/jose']));
    assert.ok(sealed.length > 0);
    for (const { where, value } of allExamples) {
      if (!where.includes('application~1jose') && !where.includes('application/jose')) continue;
      assert.equal(typeof value, 'string', where);
    }
    const joseExamples = operations.flatMap(({ operation }) => [
      ...examplesOf(
        objectAt(objectAt(objectAt(operation.requestBody).content)['application/jose']),
      ),
      ...responsesOf(operation).flatMap(([, response]) =>
        contentOf(response)
          .filter(([type]) => type === 'application/jose')
          .flatMap(([, media]) => examplesOf(media)),
      ),
    ]);
    assert.ok(joseExamples.length >= 3);
    for (const value of joseExamples) {
      assert.equal(typeof value, 'string');
      const parts = String(value).split('.');
      assert.equal(parts.length, 5);
      for (const part of parts) assert.match(part, /^[A-Za-z0-9_-]+$/);
      const header = JSON.parse(
        Buffer.from(parts[0] ?? '', 'base64url').toString('utf8'),
      ) as JsonObject;
      assert.ok(['ECDH-ES+A256KW', 'RSA-OAEP-256'].includes(String(header.alg)));
      assert.equal(header.enc, 'A256GCM');
      assert.equal(header.cty, 'application/fhir+json');
      assert.equal(typeof header.kid, 'string');
      assert.equal(header.zip, undefined);
    }
  });

  it('lists in $process-message every event the gateway accepts', () => {
    const description = String(byId.get('processMessage')?.operation.description);
    for (const event of Object.keys(messageHandlers)) {
      assert.match(description, new RegExp(`\`${event}\``), event);
    }
  });

  it('describes the SMART client-credentials flow with private_key_jwt and every scope asked for', () => {
    const scheme = objectAt(objectAt(objectAt(document.components).securitySchemes).smartBackend);
    assert.equal(scheme.type, 'oauth2');
    assert.match(String(scheme.description), /private_key_jwt/);
    const flow = objectAt(objectAt(scheme.flows).clientCredentials);
    assert.ok(byId.get('requestAccessToken')?.where.endsWith(` ${String(flow.tokenUrl)}`));
    const scopes = Object.keys(objectAt(flow.scopes));
    for (const { where, operation } of operations) {
      for (const requirement of (operation.security as JsonObject[] | undefined) ?? []) {
        for (const scope of (requirement.smartBackend as string[] | undefined) ?? []) {
          assert.ok(scopes.includes(scope), `${where}: ${scope} is listed`);
        }
      }
    }
  });
});

describe('openapi/enlace.yaml documents the refusals every route can give', () => {
  let routes: Route[];
  const dispose: (() => Promise<void>)[] = [];

  before(async () => {
    const test = await createTestServices();
    dispose.push(() => test.dispose());
    routes = buildRouteTable(test.services);
  });
  after(async () => {
    for (const step of dispose) await step();
  });

  const documented = (route: Route): string[] =>
    Object.keys(objectAt(byId.get(route.operationId)?.operation.responses));

  it('400 everywhere: every route refuses control characters in its path and query first', () => {
    for (const route of routes) assert.ok(documented(route).includes('400'), route.operationId);
  });

  it('401, 403 and 503 on every route that needs a credential', () => {
    /** Whether some valid credential is still refused: a scope, a role, or a kind of caller. */
    const mayForbid = (access: AccessRequirement): boolean =>
      access.kind !== 'person' || !PERSON_ROLES.every((role) => access.roles.includes(role));
    for (const route of routes) {
      if (route.access === undefined) continue;
      const statuses = mayForbid(route.access) ? ['401', '403', '503'] : ['401', '503'];
      for (const status of statuses) {
        assert.ok(documented(route).includes(status), `${route.operationId} documents ${status}`);
      }
      assert.ok(!ANSWERED_WITHOUT_DATABASE.has(route.operationId), route.operationId);
    }
  });

  it('429 and 503 on every route but liveness, readiness and metrics: rate limits and load shedding apply', () => {
    for (const route of routes) {
      if (UNPROTECTED_PATHS.has(route.path)) continue;
      for (const status of ['429', '503']) {
        assert.ok(documented(route).includes(status), `${route.operationId} documents ${status}`);
      }
    }
  });

  it('503 on every route that reads or writes the database', () => {
    for (const route of routes) {
      if (ANSWERED_WITHOUT_DATABASE.has(route.operationId)) continue;
      assert.ok(documented(route).includes('503'), `${route.operationId} documents 503`);
    }
    for (const id of ANSWERED_WITHOUT_DATABASE) {
      assert.ok(
        routes.some((route) => route.operationId === id),
        `${id} is a route`,
      );
    }
  });
});
