// Routes over the partner registry: the FHIR directory for partners and the operators' admin API.
import { actorFromPrincipal, auditedRead } from '../audit/index.js';
import type { Bundle, Endpoint, Organization } from '@medplum/fhirtypes';
import { buildSearchSet, pagingQuery, parseSearch, type ParsedSearch } from '../fhir/index.js';
import { GatewayError } from '../kernel/index.js';
import {
  ENDPOINT_SEARCH_PAGING,
  ENDPOINT_SEARCH_PARAM_DOCS,
  endpointSearchParams,
  findPartner,
  ORGANIZATION_SEARCH_PAGING,
  ORGANIZATION_SEARCH_PARAM_DOCS,
  listClients,
  listEndpoints,
  listPartners,
  organizationSearchParams,
  readEndpoint,
  readOrganization,
  registerPartner,
  searchEndpoints,
  searchOrganizations,
  setPartnerStatus,
  listClientKeys,
  toClientView,
  type DirectoryPage,
} from '../partners/index.js';
import { issuerOption, partnerClientRoutes } from './partner-client-routes.js';
import { fieldsOf, readAlgorithms, readCredential, readText } from './read-partner-credential.js';
import { answerResourceRead } from './conditional-read.js';
import { partnerOf, principalOf } from './principal-of.js';
import type { RequestContext, Route } from './route.js';
import type { AppServices } from './services.js';

const JSON_TYPES = ['application/json', 'application/fhir+json'] as const;
const operator = { kind: 'person', roles: ['operator'] } as const;

/** A directory page as a searchset: self and next links repeat the search, with its total. */
function directoryPage<T extends Organization | Endpoint>(
  services: AppServices,
  path: string,
  query: URLSearchParams,
  search: ParsedSearch,
  page: DirectoryPage<T>,
): Bundle<T> {
  return buildSearchSet(
    page.resources,
    {
      url: `${services.config.publicUrl}${path}`,
      query: pagingQuery(query, search),
      ...(search.cursor === undefined ? {} : { cursor: search.cursor }),
      ...(page.next === undefined ? {} : { next: page.next }),
      total: page.total,
    },
    `${services.config.publicUrl}/fhir`,
  );
}

/** Directory reads are recorded too: which institution looked up which partners. */
const directoryRead = <T>(
  services: AppServices,
  ctx: RequestContext,
  interaction: 'read' | 'search',
  what: { readonly reference?: string; readonly description: string },
  work: () => Promise<T>,
): Promise<T> =>
  auditedRead(
    services.store,
    {
      interaction,
      actor: actorFromPrincipal(principalOf(ctx)),
      ...what,
      requestId: ctx.requestId,
      clock: services.clock,
    },
    work,
  );

/** The parameter names of a search, never its values (a name prefix may be a person's name). */
const parameterNames = (query: URLSearchParams): string =>
  [...new Set(query.keys())].sort().join(', ') || 'none';

export function partnerRoutes(services: AppServices): Route[] {
  return [
    {
      method: 'GET',
      path: '/fhir/Organization',
      operationId: 'searchOrganization',
      access: { kind: 'partner', scope: 'system/Organization.s' },
      fhir: {
        kind: 'interaction',
        resource: 'Organization',
        interaction: 'search-type',
        searchParams: ORGANIZATION_SEARCH_PARAM_DOCS,
        paging: ORGANIZATION_SEARCH_PAGING,
      },
      handler: async (ctx) => {
        const search = parseSearch(ctx.query, organizationSearchParams, ORGANIZATION_SEARCH_PAGING);
        const page = await directoryRead(
          services,
          ctx,
          'search',
          { description: `Organization search by ${parameterNames(ctx.query)}` },
          () => searchOrganizations(services, partnerOf(ctx).partnerId, search),
        );
        return { body: directoryPage(services, '/fhir/Organization', ctx.query, search, page) };
      },
    },
    {
      method: 'GET',
      path: '/fhir/Organization/:id',
      operationId: 'readOrganization',
      access: { kind: 'partner', scope: 'system/Organization.r' },
      fhir: { kind: 'interaction', resource: 'Organization', interaction: 'read' },
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        const what = {
          reference: `Organization/${id.slice(0, 64)}`,
          description: 'Organization read',
        };
        const organization = await directoryRead(services, ctx, 'read', what, () =>
          readOrganization(services.store, id),
        );
        return answerResourceRead(ctx, organization);
      },
    },
    {
      method: 'GET',
      path: '/fhir/Endpoint',
      operationId: 'searchEndpoint',
      access: { kind: 'partner', scope: 'system/Endpoint.s' },
      fhir: {
        kind: 'interaction',
        resource: 'Endpoint',
        interaction: 'search-type',
        searchParams: ENDPOINT_SEARCH_PARAM_DOCS,
        paging: ENDPOINT_SEARCH_PAGING,
      },
      handler: async (ctx) => {
        const search = parseSearch(ctx.query, endpointSearchParams, ENDPOINT_SEARCH_PAGING);
        const page = await directoryRead(
          services,
          ctx,
          'search',
          { description: `Endpoint search by ${parameterNames(ctx.query)}` },
          () => searchEndpoints(services, partnerOf(ctx).partnerId, search),
        );
        return { body: directoryPage(services, '/fhir/Endpoint', ctx.query, search, page) };
      },
    },
    {
      method: 'GET',
      path: '/fhir/Endpoint/:id',
      operationId: 'readEndpoint',
      access: { kind: 'partner', scope: 'system/Endpoint.r' },
      fhir: { kind: 'interaction', resource: 'Endpoint', interaction: 'read' },
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        const what = { reference: `Endpoint/${id.slice(0, 64)}`, description: 'Endpoint read' };
        const endpoint = await directoryRead(services, ctx, 'read', what, () =>
          readEndpoint(services.store, id),
        );
        return answerResourceRead(ctx, endpoint);
      },
    },
    {
      method: 'POST',
      path: '/admin/partners',
      operationId: 'registerPartner',
      access: operator,
      consumes: JSON_TYPES,
      produces: ['application/json'],
      handler: async (ctx) => {
        const result = await registerPartner(
          toRegistration(ctx.body),
          actorFromPrincipal(principalOf(ctx)),
          {
            store: services.store,
            clock: services.clock,
            allowLoopbackHttp: services.config.profile === 'development',
            ...(await issuerOption(services)),
          },
        );
        return {
          status: 201,
          headers: { Location: `${services.config.publicUrl}/admin/partners/${result.partner.id}` },
          body: {
            partner: result.partner,
            client_id: result.client.clientId,
            ...(result.certificatePem === undefined ? {} : { certificate: result.certificatePem }),
            ...(result.endpoint === undefined ? {} : { endpoint: result.endpoint }),
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/admin/partners',
      operationId: 'listPartners',
      access: operator,
      produces: ['application/json'],
      handler: async () => ({ body: { partners: await listPartners(services.store.db) } }),
    },
    {
      method: 'GET',
      path: '/admin/partners/:id',
      operationId: 'showPartner',
      access: operator,
      produces: ['application/json'],
      handler: async (ctx) => ({
        body: await showPartner(services, ctx.params.id ?? '', services.clock()),
      }),
    },
    ...(['suspend', 'activate'] as const).map((action): Route => ({
      method: 'POST',
      path: `/admin/partners/:id/${action}`,
      operationId: `${action}Partner`,
      access: operator,
      produces: ['application/json'],
      handler: async (ctx) => ({
        body: await setPartnerStatus(
          ctx.params.id ?? '',
          action === 'suspend' ? 'suspended' : 'active',
          actorFromPrincipal(principalOf(ctx)),
          { store: services.store, clock: services.clock },
        ),
      }),
    })),
    ...partnerClientRoutes(services),
  ];
}

/** A partner with its clients (each key and its state at `at`) and endpoints, for operators. */
export async function showPartner(
  services: Pick<AppServices, 'store'>,
  id: string,
  at: Date,
): Promise<unknown> {
  const partner = await findPartner(services.store.db, id);
  if (partner === undefined) {
    throw new GatewayError('ENLACE_PARTNER_NOT_FOUND', `No partner has the id ${id.slice(0, 64)}.`);
  }
  const [clients, keys, endpoints] = await Promise.all([
    listClients(services.store.db, id),
    listClientKeys(services.store.db, id),
    listEndpoints(services.store.db, { partnerId: id }),
  ]);
  return { partner, clients: clients.map((client) => toClientView(client, keys, at)), endpoints };
}

function toRegistration(body: unknown): Parameters<typeof registerPartner>[0] {
  const input = fieldsOf(body);
  const algorithms = readAlgorithms(input);
  const endpoint = input.endpoint;
  if (endpoint !== undefined && typeof endpoint !== 'string') {
    throw new GatewayError('ENLACE_PARTNER_INVALID', 'endpoint must be a URL string.', {
      expression: ['endpoint'],
    });
  }
  return {
    id: readText(input, 'id'),
    name: readText(input, 'name'),
    role: readText(input, 'role'),
    credential: readCredential(input),
    ...(algorithms === undefined ? {} : { allowedAlgorithms: algorithms }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(input.encryptionKey === undefined ? {} : { encryptionKey: input.encryptionKey }),
  };
}
