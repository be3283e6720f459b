import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CodeSystem,
  MessageDefinition,
} from '@medplum/fhirtypes';
import { Ajv } from 'ajv';
import request from 'supertest';
import { loadBaseDefinitions } from '../../../scripts/profiles/base-definitions.js';
import { narrowSchema } from '../../../scripts/profiles/generate-base-validator.js';
import { buildRouteTable, createApp } from '../../../src/app.js';
import { submissionRoutes } from '../../../src/http/submission-routes.js';
import type { Route } from '../../../src/http/route.js';
import { checkEmptyElements } from '../../../src/profiles/check-empty-elements.js';
import type { JsonValue } from '../../../src/profiles/json-value.js';
import type { ValidationIssue } from '../../../src/profiles/validation-issue.js';
import {
  MESSAGE_DECLARATIONS,
  MESSAGE_EVENT_SYSTEM,
  messageHandlers,
  type MessageHandlers,
} from '../../../src/referrals/index.js';
import { TEST_PUBLIC_URL, createTestServices, type TestServices } from '../../support/test-app.js';

const CODE_SYSTEM = JSON.parse(
  readFileSync(new URL('../../../profiles/CodeSystem-message-event.json', import.meta.url), 'utf8'),
) as CodeSystem;

/** What a FHIR route serves, read from its method and path alone, never from what it declares. */
type Served =
  | { readonly kind: 'interaction'; readonly resource: string; readonly interaction: string }
  | { readonly kind: 'operation'; readonly name: string; readonly resource?: string };

const INTERACTIONS: Readonly<Record<string, string>> = {
  'GET T': 'search-type',
  'POST T/_search': 'search-type',
  'POST T': 'create',
  'GET T/:id': 'read',
  'PUT T/:id': 'update',
  'PATCH T/:id': 'patch',
  'DELETE T/:id': 'delete',
  'GET T/_history': 'history-type',
  'GET T/:id/_history': 'history-instance',
  'GET T/:id/_history/:vid': 'vread',
};

function servedBy(route: Route): Served | undefined {
  if (!route.path.startsWith('/fhir/') || route.path === '/fhir/metadata') return undefined;
  const parts = route.path.slice('/fhir/'.length).split('/');
  // Discovery documents live under the FHIR base but are no FHIR interaction.
  if (parts[0]?.startsWith('.well-known') === true) return undefined;
  const last = parts.at(-1) ?? '';
  if (last.startsWith('$')) {
    return parts.length === 1
      ? { kind: 'operation', name: last.slice(1) }
      : { kind: 'operation', name: last.slice(1), resource: parts[0] ?? '' };
  }
  const [resource = '', ...rest] = parts;
  const interaction = INTERACTIONS[`${route.method} ${['T', ...rest].join('/')}`];
  assert.ok(
    interaction !== undefined,
    `${route.method} ${route.path} is no FHIR interaction known`,
  );
  return { kind: 'interaction', resource, interaction };
}

const schemaValidator = () =>
  new Ajv({ strict: false, allErrors: true, discriminator: true }).compile(
    // MessageDefinition too: the contained resources are validated against the same list.
    narrowSchema(loadBaseDefinitions(), ['CapabilityStatement', 'MessageDefinition']),
  );

describe('the CapabilityStatement', function () {
  this.timeout(60_000);
  let test: TestServices;
  let routes: Route[];
  let statement: CapabilityStatement;

  before(async () => {
    test = await createTestServices();
    routes = buildRouteTable(test.services);
    const res = await request(createApp(test.services)).get('/fhir/metadata').expect(200);
    statement = res.body as CapabilityStatement;
  });
  after(() => test.dispose());

  const resources = (): CapabilityStatementRestResource[] => statement.rest?.[0]?.resource ?? [];
  const served = (): Served[] => routes.flatMap((route) => servedBy(route) ?? []);

  it('has every FHIR route declare what its method and path serve', () => {
    const fhirRoutes = routes.filter((route) => servedBy(route) !== undefined);
    assert.ok(fhirRoutes.length > 10, 'the route table has FHIR routes');
    for (const route of fhirRoutes) {
      const expected = servedBy(route);
      const declared = route.fhir;
      assert.ok(declared !== undefined, `${route.method} ${route.path} declares its capability`);
      if (expected?.kind === 'interaction') {
        assert.deepEqual(
          declared.kind === 'interaction' ? [declared.resource, declared.interaction] : declared,
          [expected.resource, expected.interaction],
          `${route.method} ${route.path}`,
        );
      } else {
        assert.deepEqual(
          declared.kind === 'operation' ? [declared.name, declared.resource] : declared,
          [expected?.name, expected?.resource],
          `${route.method} ${route.path}`,
        );
      }
    }
  });

  it('lists exactly the interactions the route table serves, resource by resource', () => {
    const expected = new Map<string, Set<string>>();
    for (const item of served()) {
      const resource = item.resource;
      if (resource === undefined) continue;
      const set = expected.get(resource) ?? new Set<string>();
      if (item.kind === 'interaction') set.add(item.interaction);
      expected.set(resource, set);
    }
    assert.deepEqual(
      resources()
        .map((resource) => resource.type)
        .sort(),
      [...expected.keys()].sort(),
    );
    for (const resource of resources()) {
      assert.deepEqual(
        (resource.interaction ?? []).map((interaction) => interaction.code).sort(),
        [...(expected.get(resource.type) ?? [])].sort(),
        resource.type,
      );
    }
  });

  it('lists exactly the operations the route table serves, at system and type level', () => {
    const operations = served().filter((item) => item.kind === 'operation');
    assert.deepEqual(
      (statement.rest?.[0]?.operation ?? []).map((operation) => operation.name).sort(),
      operations
        .filter((operation) => operation.resource === undefined)
        .map((operation) => operation.name)
        .sort(),
    );
    for (const resource of resources()) {
      assert.deepEqual(
        (resource.operation ?? []).map((operation) => operation.name).sort(),
        operations
          .filter((operation) => operation.resource === resource.type)
          .map((operation) => operation.name)
          .sort(),
        resource.type,
      );
    }
  });

  it('lists _count and _sort, typed and documented, among every searchable resource’s parameters', () => {
    const searchable = resources().filter((resource) =>
      (resource.interaction ?? []).some((interaction) => interaction.code === 'search-type'),
    );
    assert.deepEqual(searchable.map((resource) => resource.type).sort(), [
      'AuditEvent',
      'Consent',
      'Endpoint',
      'Organization',
      'Task',
    ]);
    for (const resource of searchable) {
      const params = resource.searchParam ?? [];
      const names = params.map((param) => param.name);
      assert.deepEqual(names.slice(-2), ['_count', '_sort'], resource.type);
      assert.equal(new Set(names).size, names.length, `${resource.type} lists each once`);
      for (const param of params) {
        assert.ok(
          (param.documentation ?? '') !== '',
          `${resource.type} ${param.name} is documented`,
        );
      }
      const sort = params.find((param) => param.name === '_sort');
      assert.match(sort?.documentation ?? '', /^One of \S+/);
    }
  });

  it('describes $process-message with the events of its handler table', () => {
    const [messaging] = statement.messaging ?? [];
    assert.ok(messaging !== undefined);
    assert.deepEqual(messaging.endpoint, [
      {
        protocol: {
          system: 'http://terminology.hl7.org/CodeSystem/message-transport',
          code: 'http',
        },
        address: `${TEST_PUBLIC_URL}/fhir/$process-message`,
      },
    ]);
    assert.match(messaging.documentation ?? '', /Bundle\.identifier/);
    assert.match(messaging.documentation ?? '', /application\/jose/);
    const receivers = (messaging.supportedMessage ?? [])
      .filter((supported) => supported.mode === 'receiver')
      .map((supported) => supported.definition.replace(/^#/, ''));
    assert.deepEqual(receivers.sort(), Object.keys(messageHandlers).sort());
    assert.deepEqual(
      (messaging.supportedMessage ?? []).filter((supported) => supported.mode === 'sender'),
      [{ mode: 'sender', definition: '#acknowledgement' }],
    );
  });

  it('defines each event as profiles/CodeSystem-message-event.json does', () => {
    const concepts = new Map((CODE_SYSTEM.concept ?? []).map((concept) => [concept.code, concept]));
    assert.equal(CODE_SYSTEM.url, MESSAGE_EVENT_SYSTEM);
    assert.deepEqual(Object.keys(MESSAGE_DECLARATIONS).sort(), [...concepts.keys()].sort());
    for (const declaration of Object.values(MESSAGE_DECLARATIONS)) {
      const concept = concepts.get(declaration.event.code);
      assert.equal(declaration.event.system, MESSAGE_EVENT_SYSTEM);
      assert.equal(declaration.event.display, concept?.display);
      assert.ok(
        declaration.description.startsWith(concept?.definition ?? '?'),
        `${declaration.event.code} starts with the CodeSystem's definition`,
      );
    }
    for (const definition of (statement.contained ?? []) as MessageDefinition[]) {
      assert.equal(definition.resourceType, 'MessageDefinition');
      assert.deepEqual(
        definition.eventCoding,
        MESSAGE_DECLARATIONS[definition.id as keyof typeof MESSAGE_DECLARATIONS].event,
      );
    }
  });

  it('describes only the events a gateway with another handler table takes', async () => {
    const onlyReferrals = Object.fromEntries(
      Object.entries(messageHandlers).filter(([event]) => event === 'referral-request'),
    ) as MessageHandlers;
    const routesFirst = submissionRoutes(test.services, onlyReferrals);
    const res = await request(createApp(test.services, { routes: routesFirst }))
      .get('/fhir/metadata')
      .expect(200);
    const narrowed = res.body as CapabilityStatement;
    assert.deepEqual(narrowed.messaging?.[0]?.supportedMessage, [
      { mode: 'receiver', definition: '#referral-request' },
      { mode: 'sender', definition: '#acknowledgement' },
    ]);
    assert.deepEqual((narrowed.contained ?? []).map((resource) => resource.id).sort(), [
      'acknowledgement',
      'referral-request',
    ]);
  });

  it('conforms to the FHIR R4 schema, references every contained resource and has no empty element', () => {
    const validate = schemaValidator();
    const problems = validate(statement)
      ? []
      : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
    const empty: ValidationIssue[] = [];
    checkEmptyElements(statement as unknown as JsonValue, 'CapabilityStatement', empty);
    assert.deepEqual([...problems, ...empty.map((issue) => issue.text)], []);
    const text = JSON.stringify({ ...statement, contained: undefined });
    for (const resource of statement.contained ?? []) {
      // dom-3: a contained resource is referenced from elsewhere in the resource.
      assert.ok(text.includes(`"#${resource.id ?? ''}"`), `#${resource.id ?? ''} is referenced`);
    }
  });
});
