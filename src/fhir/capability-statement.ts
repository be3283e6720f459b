// Builds the CapabilityStatement from the capabilities the served routes declare, so the two cannot drift.
import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceOperation,
  CapabilityStatementRestResourceSearchParam,
  CapabilityStatementRestSecurity,
  ResourceType,
} from '@medplum/fhirtypes';
import { FHIR_JSON } from './media-types.js';

export type TypeInteraction =
  | 'read'
  | 'vread'
  | 'update'
  | 'patch'
  | 'delete'
  | 'history-instance'
  | 'history-type'
  | 'create'
  | 'search-type';

export interface SearchParamDeclaration {
  readonly name: string;
  readonly type: CapabilityStatementRestResourceSearchParam['type'];
  readonly documentation?: string;
}

/** What one route contributes to the CapabilityStatement. */
export type FhirCapability =
  | {
      readonly kind: 'interaction';
      readonly resource: ResourceType;
      readonly interaction: TypeInteraction;
      readonly profile?: string;
      readonly searchParams?: readonly SearchParamDeclaration[];
    }
  | {
      readonly kind: 'operation';
      /** Without the leading `$`. */
      readonly name: string;
      readonly definition: string;
      /** Set for type- and instance-level operations. */
      readonly resource?: ResourceType;
    };

export interface CapabilityStatementInput {
  readonly softwareName: string;
  readonly softwareVersion: string;
  /** The FHIR base URL, e.g. https://gateway.example.org/fhir. */
  readonly fhirBaseUrl: string;
  /** Publication date of this build, ISO date. */
  readonly date: string;
  readonly capabilities: readonly FhirCapability[];
  readonly security?: CapabilityStatementRestSecurity;
}

export function buildCapabilityStatement(input: CapabilityStatementInput): CapabilityStatement {
  const resources = new Map<ResourceType, CapabilityStatementRestResource>();
  const systemOperations: CapabilityStatementRestResourceOperation[] = [];
  const resourceFor = (type: ResourceType): CapabilityStatementRestResource => {
    const existing = resources.get(type);
    if (existing !== undefined) return existing;
    const entry: CapabilityStatementRestResource = { type, versioning: 'versioned' };
    resources.set(type, entry);
    return entry;
  };
  for (const capability of input.capabilities) {
    if (capability.kind === 'operation') {
      const operation = { name: capability.name, definition: capability.definition };
      const list =
        capability.resource === undefined
          ? systemOperations
          : (resourceFor(capability.resource).operation ??= []);
      if (!list.some((known) => known.name === operation.name)) list.push(operation);
      continue;
    }
    const entry = resourceFor(capability.resource);
    // Several routes may declare the same interaction (GET and POST _search); list it once.
    const interactions = (entry.interaction ??= []);
    if (!interactions.some((known) => known.code === capability.interaction)) {
      interactions.push({ code: capability.interaction });
    }
    if (capability.profile !== undefined) entry.profile = capability.profile;
    for (const param of capability.searchParams ?? []) {
      const params = (entry.searchParam ??= []);
      if (params.some((known) => known.name === param.name)) continue;
      params.push({
        name: param.name,
        type: param.type,
        ...(param.documentation === undefined ? {} : { documentation: param.documentation }),
      });
    }
  }
  const resourceList = [...resources.values()].sort((a, b) => a.type.localeCompare(b.type));
  // FHIR JSON forbids empty arrays, so lists appear only when they have members.
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: input.date,
    publisher: 'Enlace',
    kind: 'instance',
    software: { name: input.softwareName, version: input.softwareVersion },
    implementation: { description: 'Enlace interoperability gateway', url: input.fhirBaseUrl },
    fhirVersion: '4.0.1',
    format: [FHIR_JSON, 'json'],
    rest: [
      {
        mode: 'server',
        ...(input.security === undefined ? {} : { security: input.security }),
        ...(resourceList.length === 0 ? {} : { resource: resourceList }),
        ...(systemOperations.length === 0 ? {} : { operation: systemOperations }),
      },
    ],
  };
}
