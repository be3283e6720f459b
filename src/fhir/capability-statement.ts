// Builds the CapabilityStatement from the capabilities the served routes declare, so the two cannot drift.
import type {
  CapabilityStatement,
  CapabilityStatementMessaging,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceOperation,
  CapabilityStatementRestResourceSearchParam,
  CapabilityStatementRestSecurity,
  Coding,
  MessageDefinition,
  MessageDefinitionFocus,
  ResourceType,
} from '@medplum/fhirtypes';
import { FHIR_JSON } from './media-types.js';
import { describeCount, describeSort, type SearchPaging } from './search.js';

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

/** One message event an endpoint takes or sends, as a MessageDefinition contained in the statement. */
export interface MessageDeclaration {
  /** The event; its code becomes the contained MessageDefinition's id. */
  readonly event: Coding & { readonly code: string; readonly display: string };
  readonly description: string;
  readonly category: NonNullable<MessageDefinition['category']>;
  readonly focus?: readonly MessageDefinitionFocus[];
  readonly responseRequired: NonNullable<MessageDefinition['responseRequired']>;
}

/** The FHIR Messaging an operation (`$process-message`) serves. */
export interface MessagingDeclaration {
  /** Markdown: transport, security and reliability of the messages. */
  readonly documentation: string;
  /** The events the endpoint accepts. */
  readonly receives: readonly MessageDeclaration[];
  /** The messages the gateway sends itself (its responses). */
  readonly sends: readonly MessageDeclaration[];
  /** The event code of the message answering each received one, when there is one. */
  readonly response?: { readonly event: string; readonly situation: string };
}

/** What one route contributes to the CapabilityStatement. */
export type FhirCapability =
  | {
      readonly kind: 'interaction';
      readonly resource: ResourceType;
      readonly interaction: TypeInteraction;
      readonly profile?: string;
      readonly searchParams?: readonly SearchParamDeclaration[];
      /** How a search-type interaction pages; it adds `_count` and `_sort` to the parameters. */
      readonly paging?: SearchPaging;
      /** A create that honours If-None-Exist (FHIR conditional create). */
      readonly conditionalCreate?: boolean;
    }
  | {
      readonly kind: 'operation';
      /** Without the leading `$`. */
      readonly name: string;
      readonly definition: string;
      /** Set for type- and instance-level operations. */
      readonly resource?: ResourceType;
      /** Set for a messaging endpoint (system-level `$process-message`). */
      readonly messaging?: MessagingDeclaration;
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

const MESSAGE_TRANSPORT = 'http://terminology.hl7.org/CodeSystem/message-transport';

/** `_count` and `_sort` as a route that pages this way takes them. */
function pagingParams(paging: SearchPaging): SearchParamDeclaration[] {
  return [
    { name: '_count', type: 'number', documentation: describeCount(paging) },
    { name: '_sort', type: 'string', documentation: describeSort(paging) },
  ];
}

/** `referral-request` → `ReferralRequest`: a computable name as MessageDefinition wants (msd-0). */
const computableName = (code: string): string =>
  code
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

function toMessageDefinition(
  message: MessageDeclaration,
  date: string,
  response: MessagingDeclaration['response'] | undefined,
): MessageDefinition {
  return {
    resourceType: 'MessageDefinition',
    id: message.event.code,
    name: computableName(message.event.code),
    title: message.event.display,
    status: 'active',
    date,
    publisher: 'Enlace',
    description: message.description,
    eventCoding: message.event,
    category: message.category,
    ...(message.focus === undefined || message.focus.length === 0
      ? {}
      : { focus: [...message.focus] }),
    responseRequired: message.responseRequired,
    ...(response === undefined
      ? {}
      : { allowedResponse: [{ message: `#${response.event}`, situation: response.situation }] }),
  };
}

/**
 * The messaging section of one messaging operation and the MessageDefinitions it names. Why
 * contained: the definitions describe this gateway's events exactly as its handler table takes
 * them, and a canonical `#id` resolves inside the statement itself.
 */
function buildMessaging(
  operation: string,
  declaration: MessagingDeclaration,
  input: CapabilityStatementInput,
): { messaging: CapabilityStatementMessaging; definitions: MessageDefinition[] } {
  const definitions = new Map<string, MessageDefinition>();
  for (const message of declaration.sends) {
    definitions.set(message.event.code, toMessageDefinition(message, input.date, undefined));
  }
  for (const message of declaration.receives) {
    definitions.set(
      message.event.code,
      toMessageDefinition(message, input.date, declaration.response),
    );
  }
  const supported = [
    ...declaration.receives.map((message) => ({ mode: 'receiver' as const, message })),
    ...declaration.sends.map((message) => ({ mode: 'sender' as const, message })),
  ];
  return {
    messaging: {
      endpoint: [
        {
          protocol: { system: MESSAGE_TRANSPORT, code: 'http' },
          address: `${input.fhirBaseUrl}/$${operation}`,
        },
      ],
      documentation: declaration.documentation,
      ...(supported.length === 0
        ? {}
        : {
            supportedMessage: supported.map(({ mode, message }) => ({
              mode,
              definition: `#${message.event.code}`,
            })),
          }),
    },
    definitions: [...definitions.values()],
  };
}

export function buildCapabilityStatement(input: CapabilityStatementInput): CapabilityStatement {
  const resources = new Map<ResourceType, CapabilityStatementRestResource>();
  const systemOperations: CapabilityStatementRestResourceOperation[] = [];
  const messaging: CapabilityStatementMessaging[] = [];
  const contained = new Map<string, MessageDefinition>();
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
      if (list.some((known) => known.name === operation.name)) continue;
      list.push(operation);
      if (capability.messaging !== undefined) {
        const built = buildMessaging(capability.name, capability.messaging, input);
        messaging.push(built.messaging);
        for (const definition of built.definitions) contained.set(definition.id ?? '', definition);
      }
      continue;
    }
    const entry = resourceFor(capability.resource);
    // Several routes may declare the same interaction (GET and POST _search); list it once.
    const interactions = (entry.interaction ??= []);
    if (!interactions.some((known) => known.code === capability.interaction)) {
      interactions.push({ code: capability.interaction });
    }
    // Every read answers through one conditional-read helper (ETag, Last-Modified, 304), and vread
    // serves past versions, not only the current one.
    if (capability.interaction === 'read') entry.conditionalRead = 'full-support';
    if (capability.interaction === 'vread') entry.readHistory = true;
    if (capability.conditionalCreate === true) entry.conditionalCreate = true;
    if (capability.profile !== undefined) entry.profile = capability.profile;
    const declared = [
      ...(capability.searchParams ?? []),
      ...(capability.paging === undefined ? [] : pagingParams(capability.paging)),
    ];
    for (const param of declared) {
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
    ...(contained.size === 0 ? {} : { contained: [...contained.values()] }),
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
    ...(messaging.length === 0 ? {} : { messaging }),
  };
}
