import assert from 'node:assert/strict';
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import {
  FHIR_JSON,
  buildCapabilityStatement,
  type CapabilityStatementInput,
  type FhirCapability,
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
});
