// Routes over the partner registry: the FHIR directory for partners and the operators' admin API.
import { actorFromPrincipal, auditedRead } from '../audit/index.js';
import { buildSearchSet, parseSearch } from '../fhir/index.js';
import { GatewayError } from '../kernel/index.js';
import {
  endpointSearchParams,
  findPartner,
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
  certificateIssuerFor,
  type PartnerCredential,
} from '../partners/index.js';
import { principalOf } from './principal-of.js';
import type { RequestContext, Route } from './route.js';
import type { AppServices } from './services.js';

const JSON_TYPES = ['application/json', 'application/fhir+json'] as const;
const operator = { kind: 'person', roles: ['operator'] } as const;

function selfUrl(services: AppServices, path: string, query: URLSearchParams): string {
  const text = query.toString();
  return `${services.config.publicUrl}${path}${text === '' ? '' : `?${text}`}`;
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
  const fhirBase = `${services.config.publicUrl}/fhir`;
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
        searchParams: [
          { name: 'type', type: 'token', documentation: 'Role code (organization-role)' },
          { name: 'name', type: 'string', documentation: 'Name prefix, case-insensitive' },
          { name: 'identifier', type: 'token', documentation: 'Partner id' },
          { name: '_id', type: 'token' },
          { name: 'active', type: 'token' },
        ],
      },
      handler: async (ctx) => {
        const search = parseSearch(ctx.query, organizationSearchParams);
        const organizations = await directoryRead(
          services,
          ctx,
          'search',
          { description: `Organization search by ${parameterNames(ctx.query)}` },
          () => searchOrganizations(services.store, search.params, search.count),
        );
        return {
          body: buildSearchSet(
            organizations,
            selfUrl(services, '/fhir/Organization', ctx.query),
            fhirBase,
          ),
        };
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
        return {
          body: await directoryRead(services, ctx, 'read', what, () =>
            readOrganization(services.store, id),
          ),
        };
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
        searchParams: [
          { name: 'organization', type: 'reference' },
          { name: '_id', type: 'token' },
        ],
      },
      handler: async (ctx) => {
        const search = parseSearch(ctx.query, endpointSearchParams);
        const endpoints = await directoryRead(
          services,
          ctx,
          'search',
          { description: `Endpoint search by ${parameterNames(ctx.query)}` },
          () => searchEndpoints(services.store, search.params),
        );
        return {
          body: buildSearchSet(
            endpoints.slice(0, search.count),
            selfUrl(services, '/fhir/Endpoint', ctx.query),
            fhirBase,
          ),
        };
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
        return {
          body: await directoryRead(services, ctx, 'read', what, () =>
            readEndpoint(services.store, id),
          ),
        };
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
            ...issuerOption(services),
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
      handler: async (ctx) => ({ body: await showPartner(services, ctx.params.id ?? '') }),
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
  ];
}

function issuerOption(services: AppServices) {
  const issueCertificate = certificateIssuerFor(services.pki);
  return issueCertificate === undefined ? {} : { issueCertificate };
}

/** A partner with its clients and endpoints, for operators. */
export async function showPartner(
  services: Pick<AppServices, 'store'>,
  id: string,
): Promise<unknown> {
  const partner = await findPartner(services.store.db, id);
  if (partner === undefined) {
    throw new GatewayError('ENLACE_PARTNER_NOT_FOUND', `No partner has the id ${id.slice(0, 64)}.`);
  }
  const [clients, endpoints] = await Promise.all([
    listClients(services.store.db, id),
    listEndpoints(services.store.db, { partnerId: id }),
  ]);
  return { partner, clients, endpoints };
}

function toRegistration(body: unknown): Parameters<typeof registerPartner>[0] {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const text = (name: string): string => {
    const value = input[name];
    if (typeof value !== 'string') {
      throw new GatewayError(
        'ENLACE_PARTNER_INVALID',
        `${name} is required and must be a string.`,
        {
          expression: [name],
        },
      );
    }
    return value;
  };
  const given = ['jwks', 'csr', 'certificate'].filter((name) => input[name] !== undefined);
  if (given.length !== 1) {
    throw new GatewayError(
      'ENLACE_PARTNER_INVALID',
      'Give exactly one credential: jwks, csr or certificate.',
      { expression: ['jwks', 'csr', 'certificate'] },
    );
  }
  let credential: PartnerCredential;
  if (input.jwks !== undefined) credential = { kind: 'jwks', jwks: input.jwks };
  else if (input.csr !== undefined) {
    const validityDays = input.validityDays;
    if (validityDays !== undefined && typeof validityDays !== 'number') {
      throw new GatewayError('ENLACE_PARTNER_INVALID', 'validityDays must be a number.', {
        expression: ['validityDays'],
      });
    }
    credential = {
      kind: 'csr',
      csrPem: text('csr'),
      ...(validityDays === undefined ? {} : { validityDays }),
    };
  } else credential = { kind: 'certificate', certificatePem: text('certificate') };
  const algorithms = input.allowedAlgorithms;
  if (
    algorithms !== undefined &&
    (!Array.isArray(algorithms) || !algorithms.every((alg) => typeof alg === 'string'))
  ) {
    throw new GatewayError('ENLACE_PARTNER_INVALID', 'allowedAlgorithms must be a list of names.', {
      expression: ['allowedAlgorithms'],
    });
  }
  const endpoint = input.endpoint;
  if (endpoint !== undefined && typeof endpoint !== 'string') {
    throw new GatewayError('ENLACE_PARTNER_INVALID', 'endpoint must be a URL string.', {
      expression: ['endpoint'],
    });
  }
  return {
    id: text('id'),
    name: text('name'),
    role: text('role'),
    credential,
    ...(algorithms === undefined ? {} : { allowedAlgorithms: algorithms }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(input.encryptionKey === undefined ? {} : { encryptionKey: input.encryptionKey }),
  };
}
