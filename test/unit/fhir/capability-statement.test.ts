import assert from 'node:assert/strict';
import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  MessageDefinition,
} from '@medplum/fhirtypes';
import {
  FHIR_JSON,
  buildCapabilityStatement,
  type CapabilityStatementInput,
  type FhirCapability,
  type MessageDeclaration,
  type MessagingDeclaration,
  type SearchPaging,
} from '../../../src/fhir/index.js';

const base: Omit<CapabilityStatementInput, 'capabilities'> = {
  softwareName: 'enlace',
  softwareVersion: '1.2.3',
  fhirBaseUrl: 'https://gw.example.org/fhir',
  date: '2025-03-01',
};

const build = (capabilities: readonly FhirCapability[]): CapabilityStatement =>
  buildCapabilityStatement({ ...base, capabilities });

function resourceOf(statement: CapabilityStatement, type: string): CapabilityStatementRestResource {
  const found = statement.rest?.[0]?.resource?.find((resource) => resource.type === type);
  assert.ok(found !== undefined, `the statement lists ${type}`);
  return found;
}

/** Paths of empty arrays in a JSON value; FHIR JSON never allows one (R4 json.html). */
function emptyArrays(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [path];
    return value.flatMap((item, index) => emptyArrays(item, `${path}[${index}]`));
  }
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => emptyArrays(inner, `${path}.${key}`));
}

const taskRoutes: readonly FhirCapability[] = [
  {
    kind: 'interaction',
    resource: 'Task',
    interaction: 'read',
    profile: 'https://enlace.example.org/fhir/StructureDefinition/referral-task',
  },
  {
    kind: 'interaction',
    resource: 'Task',
    interaction: 'search-type',
    searchParams: [
      { name: 'owner', type: 'reference', documentation: 'The receiving organization' },
      { name: 'status', type: 'token' },
    ],
  },
  { kind: 'interaction', resource: 'Task', interaction: 'update' },
];

describe('buildCapabilityStatement', () => {
  it('describes a FHIR 4.0.1 server instance speaking JSON', () => {
    const statement = build([]);
    assert.equal(statement.resourceType, 'CapabilityStatement');
    assert.equal(statement.status, 'active');
    assert.equal(statement.kind, 'instance');
    assert.equal(statement.fhirVersion, '4.0.1');
    assert.equal(statement.date, '2025-03-01');
    assert.ok(statement.format.includes(FHIR_JSON));
    assert.ok(statement.format.includes('json'));
    assert.ok(!statement.format.some((format) => format.includes('xml')));
    assert.equal(statement.rest?.length, 1);
    assert.equal(statement.rest[0]?.mode, 'server');
  });

  it('names the software and the FHIR base URL', () => {
    const statement = build([]);
    assert.deepEqual(statement.software, { name: 'enlace', version: '1.2.3' });
    assert.equal(statement.implementation?.url, 'https://gw.example.org/fhir');
  });

  it('merges the interactions of several routes into one entry per resource', () => {
    const statement = build(taskRoutes);
    assert.equal(statement.rest?.[0]?.resource?.length, 1);
    const task = resourceOf(statement, 'Task');
    assert.deepEqual(
      task.interaction?.map((interaction) => interaction.code),
      ['read', 'search-type', 'update'],
    );
    assert.equal(task.profile, 'https://enlace.example.org/fhir/StructureDefinition/referral-task');
  });

  it('lists the search parameters a resource declares, with documentation when given', () => {
    const task = resourceOf(build(taskRoutes), 'Task');
    assert.deepEqual(task.searchParam, [
      { name: 'owner', type: 'reference', documentation: 'The receiving organization' },
      { name: 'status', type: 'token' },
    ]);
  });

  it('merges search parameters declared by different routes of one resource', () => {
    const task = resourceOf(
      build([
        {
          kind: 'interaction',
          resource: 'Task',
          interaction: 'search-type',
          searchParams: [{ name: 'owner', type: 'reference' }],
        },
        {
          kind: 'interaction',
          resource: 'Task',
          interaction: 'history-type',
          searchParams: [{ name: '_since', type: 'date' }],
        },
      ]),
      'Task',
    );
    assert.deepEqual(
      task.searchParam?.map((param) => param.name),
      ['owner', '_since'],
    );
  });

  it('lists an interaction and a search parameter once when GET and POST _search both declare them', () => {
    const search: FhirCapability = {
      kind: 'interaction',
      resource: 'Task',
      interaction: 'search-type',
      searchParams: [{ name: 'owner', type: 'reference' }],
    };
    const task = resourceOf(build([search, search]), 'Task');
    assert.deepEqual(
      task.interaction?.map((interaction) => interaction.code),
      ['search-type'],
    );
    assert.deepEqual(
      task.searchParam?.map((param) => param.name),
      ['owner'],
    );
  });

  it('keeps resources apart and sorts them by type', () => {
    const statement = build([
      { kind: 'interaction', resource: 'Task', interaction: 'read' },
      { kind: 'interaction', resource: 'AuditEvent', interaction: 'search-type' },
      { kind: 'interaction', resource: 'Consent', interaction: 'create' },
    ]);
    assert.deepEqual(
      statement.rest?.[0]?.resource?.map((resource) => resource.type),
      ['AuditEvent', 'Consent', 'Task'],
    );
    assert.deepEqual(
      resourceOf(statement, 'Consent').interaction?.map((interaction) => interaction.code),
      ['create'],
    );
  });

  it('puts system operations on rest and type operations on their resource', () => {
    const statement = build([
      {
        kind: 'operation',
        name: 'process-message',
        definition: 'http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message',
      },
      { kind: 'interaction', resource: 'AuditEvent', interaction: 'search-type' },
      {
        kind: 'operation',
        name: 'verify',
        definition: 'https://enlace.example.org/fhir/OperationDefinition/AuditEvent-verify',
        resource: 'AuditEvent',
      },
    ]);
    const rest = statement.rest?.[0];
    assert.deepEqual(rest?.operation, [
      {
        name: 'process-message',
        definition: 'http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message',
      },
    ]);
    assert.deepEqual(resourceOf(statement, 'AuditEvent').operation, [
      {
        name: 'verify',
        definition: 'https://enlace.example.org/fhir/OperationDefinition/AuditEvent-verify',
      },
    ]);
  });

  it('has no system operation list when there are no system operations', () => {
    const statement = build(taskRoutes);
    assert.equal(statement.rest?.[0] !== undefined && 'operation' in statement.rest[0], false);
  });

  it('includes security only when given', () => {
    const plain = build([]).rest?.[0];
    assert.ok(plain !== undefined);
    assert.equal('security' in plain, false);
    const statement = buildCapabilityStatement({
      ...base,
      capabilities: [],
      security: { cors: false, description: 'SMART Backend Services' },
    });
    assert.deepEqual(statement.rest?.[0]?.security, {
      cors: false,
      description: 'SMART Backend Services',
    });
  });

  it('contains no empty arrays when no route declares a FHIR capability', () => {
    assert.deepEqual(emptyArrays(build([])), []);
  });

  it('contains no empty arrays when a resource has only a type operation', () => {
    const statement = build([
      {
        kind: 'operation',
        name: 'verify',
        definition: 'https://enlace.example.org/fhir/OperationDefinition/AuditEvent-verify',
        resource: 'AuditEvent',
      },
    ]);
    assert.deepEqual(emptyArrays(statement), []);
  });

  it('contains no empty arrays for a typical route table', () => {
    assert.deepEqual(emptyArrays(build(taskRoutes)), []);
  });

  describe('paging', () => {
    const paging: SearchPaging = {
      sorts: ['-_lastUpdated', '_lastUpdated'],
      limits: { defaultCount: 20, maxCount: 100 },
      total: false,
    };
    const pagedTasks = (of: SearchPaging): FhirCapability => ({
      kind: 'interaction',
      resource: 'Task',
      interaction: 'search-type',
      searchParams: [{ name: 'owner', type: 'reference' }],
      paging: of,
    });

    it('adds _count and _sort after the parameters of a search that declares how it pages', () => {
      const task = resourceOf(build([pagedTasks(paging)]), 'Task');
      assert.deepEqual(
        task.searchParam?.map((param) => [param.name, param.type]),
        [
          ['owner', 'reference'],
          ['_count', 'number'],
          ['_sort', 'string'],
        ],
      );
      const [, count, sort] = task.searchParam;
      assert.match(count?.documentation ?? '', /default 20, at most 100/);
      assert.match(count?.documentation ?? '', /next link/);
      assert.match(count?.documentation ?? '', /Bundle\.total is not given/);
      assert.equal(
        sort?.documentation,
        'One of -_lastUpdated, _lastUpdated (default -_lastUpdated); any other order is refused with 400.',
      );
    });

    it('says the total is given where the search counts', () => {
      const task = resourceOf(build([pagedTasks({ ...paging, total: true })]), 'Task');
      const count = task.searchParam?.find((param) => param.name === '_count');
      assert.match(count?.documentation ?? '', /Bundle\.total is given\./);
    });

    it('lists _count and _sort without paging only when a route declares them itself', () => {
      const task = resourceOf(build(taskRoutes), 'Task');
      assert.deepEqual(
        task.searchParam?.map((param) => param.name),
        ['owner', 'status'],
      );
    });
  });

  describe('messaging', () => {
    const message = (
      code: string,
      responseRequired: MessageDeclaration['responseRequired'],
    ): MessageDeclaration => ({
      event: {
        system: 'https://enlace.example.org/fhir/CodeSystem/message-event',
        code,
        display: code,
      },
      description: `The ${code} event.`,
      category: responseRequired === 'always' ? 'consequence' : 'notification',
      ...(responseRequired === 'always'
        ? { focus: [{ code: 'Task' as const, min: 1, max: '1' }] }
        : {}),
      responseRequired,
    });
    const messaging: MessagingDeclaration = {
      documentation: 'Signed, encrypted, idempotent by Bundle.identifier.',
      receives: [message('referral-request', 'always'), message('acknowledgement', 'never')],
      sends: [message('acknowledgement', 'never')],
      response: { event: 'acknowledgement', situation: 'Always, synchronously.' },
    };
    const processMessage: FhirCapability = {
      kind: 'operation',
      name: 'process-message',
      definition: 'http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message',
      messaging,
    };

    it('describes the endpoint of a messaging operation, its transport and its documentation', () => {
      const statement = build([processMessage]);
      assert.deepEqual(statement.messaging?.[0]?.endpoint, [
        {
          protocol: {
            system: 'http://terminology.hl7.org/CodeSystem/message-transport',
            code: 'http',
          },
          address: 'https://gw.example.org/fhir/$process-message',
        },
      ]);
      assert.equal(statement.messaging[0].documentation, messaging.documentation);
      assert.deepEqual(
        statement.rest?.[0]?.operation?.map((operation) => operation.name),
        ['process-message'],
      );
    });

    it('names each event it takes and sends by a MessageDefinition contained in the statement', () => {
      const statement = build([processMessage]);
      assert.deepEqual(statement.messaging?.[0]?.supportedMessage, [
        { mode: 'receiver', definition: '#referral-request' },
        { mode: 'receiver', definition: '#acknowledgement' },
        { mode: 'sender', definition: '#acknowledgement' },
      ]);
      const contained = (statement.contained ?? []) as MessageDefinition[];
      assert.deepEqual(contained.map((definition) => definition.id).sort(), [
        'acknowledgement',
        'referral-request',
      ]);
      const request = contained.find((definition) => definition.id === 'referral-request');
      assert.deepEqual(request, {
        resourceType: 'MessageDefinition',
        id: 'referral-request',
        name: 'ReferralRequest',
        title: 'referral-request',
        status: 'active',
        date: '2025-03-01',
        publisher: 'Enlace',
        description: 'The referral-request event.',
        eventCoding: messaging.receives[0]?.event,
        category: 'consequence',
        focus: [{ code: 'Task', min: 1, max: '1' }],
        responseRequired: 'always',
        allowedResponse: [{ message: '#acknowledgement', situation: 'Always, synchronously.' }],
      });
    });

    it('references every contained definition and resolves every reference to one (dom-3)', () => {
      const statement = build([processMessage]);
      const ids = new Set((statement.contained ?? []).map((resource) => `#${resource.id ?? ''}`));
      const references = [
        ...(statement.messaging?.[0]?.supportedMessage ?? []).map(
          (supported) => supported.definition,
        ),
        ...((statement.contained ?? []) as MessageDefinition[]).flatMap((definition) =>
          (definition.allowedResponse ?? []).map((response) => response.message),
        ),
      ];
      for (const reference of references) assert.ok(ids.has(reference), `${reference} resolves`);
      assert.deepEqual(new Set(references), ids);
      for (const definition of (statement.contained ?? []) as MessageDefinition[]) {
        assert.match(definition.name ?? '', /^[A-Z]([A-Za-z0-9_]){0,254}$/, 'msd-0');
      }
      assert.deepEqual(emptyArrays(statement), []);
    });

    it('has neither messaging nor contained resources without a messaging operation', () => {
      const statement = build(taskRoutes);
      assert.equal('messaging' in statement, false);
      assert.equal('contained' in statement, false);
    });
  });
});
