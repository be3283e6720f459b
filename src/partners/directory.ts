// The partner directory partners read: Organization and Endpoint search and read, from FHIR search parameters.
import type { Endpoint, Organization } from '@medplum/fhirtypes';
import { readKeysetPosition, sealedCursors, type PayloadVault } from '../crypto/index.js';
import {
  keysetPage,
  parsedSearchDigest,
  type ParsedSearch,
  type SearchParamDeclaration,
  type SearchPaging,
} from '../fhir/index.js';
import { GATEWAY_ORGANIZATION_ID, GatewayError, type Clock } from '../kernel/index.js';
import type { Store } from '../store/index.js';
import type { Partner, PartnerEndpoint } from './partner.js';
import type { PartnerFilter, PartnerOrder } from './partner-repository.js';
import {
  countEndpoints,
  countPartners,
  findPartner,
  listEndpoints,
  listPartners,
} from './partner-repository.js';
import { isPartnerRole, ORGANIZATION_ROLE_SYSTEM, PARTNER_ID_SYSTEM } from './roles.js';
import { gatewayOrganization, toEndpoint, toOrganization } from './to-fhir.js';

export const organizationSearchParams = ['type', 'name', 'identifier', '_id', 'active'] as const;
export const endpointSearchParams = ['organization', '_id'] as const;

/** The parameters as the CapabilityStatement documents them, beside the parser that reads them. */
export const ORGANIZATION_SEARCH_PARAM_DOCS: readonly SearchParamDeclaration[] = [
  { name: 'type', type: 'token', documentation: 'Role code (organization-role)' },
  { name: 'name', type: 'string', documentation: 'Name prefix, case-insensitive' },
  { name: 'identifier', type: 'token', documentation: 'Partner id, [system|]value' },
  { name: '_id', type: 'token', documentation: 'The Organization id (the partner id)' },
  { name: 'active', type: 'token', documentation: 'true (active) or false (suspended)' },
];
export const ENDPOINT_SEARCH_PARAM_DOCS: readonly SearchParamDeclaration[] = [
  { name: 'organization', type: 'reference', documentation: 'Organization/<id> or <id>' },
  { name: '_id', type: 'token', documentation: 'The Endpoint id' },
];

/** The directory is small: counting it is cheap, so every page says how many match. */
const DIRECTORY_LIMITS = { defaultCount: 50, maxCount: 200 };
export const ORGANIZATION_SEARCH_PAGING: SearchPaging = {
  sorts: ['_id', '_lastUpdated', '-_lastUpdated'],
  limits: DIRECTORY_LIMITS,
  total: true,
};
/** An endpoint never changes after registration, so its id is the one order worth having. */
export const ENDPOINT_SEARCH_PAGING: SearchPaging = {
  sorts: ['_id'],
  limits: DIRECTORY_LIMITS,
  total: true,
};

const PARTNER_ORDERS: Readonly<Record<string, PartnerOrder>> = {
  _id: { column: 'id', direction: 'asc' },
  _lastUpdated: { column: 'updated_at', direction: 'asc' },
  '-_lastUpdated': { column: 'updated_at', direction: 'desc' },
};

export interface DirectorySearchDeps {
  readonly store: Store;
  readonly vault: PayloadVault;
  readonly clock: Clock;
}

/** One page of a directory search: the resources, how many match in all, the next page's cursor. */
export interface DirectoryPage<T> {
  readonly resources: readonly T[];
  readonly total: number;
  readonly next?: string;
}

/** Separate cursor kinds, so an Organization cursor continues no Endpoint search. */
const organizationCursors = (deps: DirectorySearchDeps) =>
  sealedCursors(deps.vault, 'enlace:organization-search-cursor:v1', readKeysetPosition, {
    clock: deps.clock,
  });
const endpointCursors = (deps: DirectorySearchDeps) =>
  sealedCursors(deps.vault, 'enlace:endpoint-search-cursor:v1', readKeysetPosition, {
    clock: deps.clock,
  });

const bad = (param: string, text: string): GatewayError =>
  new GatewayError('ENLACE_INVALID_PARAMETER', `Search parameter ${param}: ${text}`, {
    expression: [param],
  });

/** A FHIR token value `system|code` or `code`; returns the code when the system matches (or is absent). */
function tokenCode(param: string, value: string, system: string): string | undefined {
  const bar = value.indexOf('|');
  if (bar === -1) return value;
  if (value.slice(0, bar) !== system && value.slice(0, bar) !== '') {
    throw bad(param, `only the system ${system} is known.`);
  }
  return value.slice(bar + 1);
}

function organizationFilter(query: ReadonlyMap<string, string>): PartnerFilter | 'none' {
  const filter: { -readonly [K in keyof PartnerFilter]: PartnerFilter[K] } = {};
  const type = query.get('type');
  if (type !== undefined) {
    const code = tokenCode('type', type, ORGANIZATION_ROLE_SYSTEM);
    if (code === undefined || !isPartnerRole(code)) return 'none';
    filter.role = code;
  }
  const name = query.get('name');
  if (name !== undefined) {
    if (name.length === 0 || name.length > 200) throw bad('name', 'expected 1-200 characters.');
    filter.namePrefix = name;
  }
  const identifier = query.get('identifier');
  if (identifier !== undefined) {
    const code = tokenCode('identifier', identifier, PARTNER_ID_SYSTEM);
    if (code === undefined) return 'none';
    if (filter.id !== undefined && filter.id !== code) return 'none';
    filter.id = code;
  }
  const id = query.get('_id');
  if (id !== undefined) {
    if (filter.id !== undefined && filter.id !== id) return 'none';
    filter.id = id;
  }
  const active = query.get('active');
  if (active !== undefined) {
    if (active !== 'true' && active !== 'false') throw bad('active', 'expected true or false.');
    filter.status = active === 'true' ? 'active' : 'suspended';
  }
  return filter;
}

/** One page of Organizations for `caller`, in the search's order, keyset-paged. */
export async function searchOrganizations(
  deps: DirectorySearchDeps,
  caller: string,
  search: ParsedSearch,
): Promise<DirectoryPage<Organization>> {
  const filter = organizationFilter(search.params);
  const order = PARTNER_ORDERS[search.sort] ?? { column: 'id', direction: 'asc' };
  const page = await keysetPage({
    cursors: organizationCursors(deps),
    owner: caller,
    search: parsedSearchDigest(search),
    cursor: search.cursor,
    count: search.count,
    positionOf: (partner: Partner) => ({
      key: order.column === 'id' ? partner.id : partner.updatedAt,
      id: partner.id,
    }),
    fetch: (after, limit) =>
      filter === 'none'
        ? Promise.resolve([])
        : listPartners(deps.store.db, {
            ...filter,
            order,
            limit,
            ...(after === undefined ? {} : { after }),
          }),
  });
  const [total, endpoints] = await Promise.all([
    filter === 'none' ? 0 : countPartners(deps.store.db, filter),
    page.rows.length === 0 ? ([] as PartnerEndpoint[]) : listEndpoints(deps.store.db),
  ]);
  return {
    resources: page.rows.map((partner) =>
      toOrganization(
        partner,
        endpoints.filter((endpoint) => endpoint.partnerId === partner.id),
      ),
    ),
    total,
    ...(page.next === undefined ? {} : { next: page.next }),
  };
}

export async function readOrganization(store: Store, id: string): Promise<Organization> {
  if (id === GATEWAY_ORGANIZATION_ID) return gatewayOrganization();
  const partner = await findPartner(store.db, id);
  if (partner === undefined) {
    throw new GatewayError(
      'ENLACE_RESOURCE_NOT_FOUND',
      `Organization/${id.slice(0, 64)} is not known.`,
    );
  }
  return toOrganization(partner, await listEndpoints(store.db, { partnerId: id }));
}

/** One page of Endpoints for `caller`, by id, keyset-paged. */
export async function searchEndpoints(
  deps: DirectorySearchDeps,
  caller: string,
  search: ParsedSearch,
): Promise<DirectoryPage<Endpoint>> {
  const organization = search.params.get('organization')?.replace(/^Organization\//, '');
  const id = search.params.get('_id');
  const filter = {
    ...(organization === undefined ? {} : { partnerId: organization }),
    ...(id === undefined ? {} : { id }),
  };
  const page = await keysetPage({
    cursors: endpointCursors(deps),
    owner: caller,
    search: parsedSearchDigest(search),
    cursor: search.cursor,
    count: search.count,
    positionOf: (endpoint: PartnerEndpoint) => ({ key: endpoint.id, id: endpoint.id }),
    fetch: (after, limit) =>
      listEndpoints(deps.store.db, {
        ...filter,
        limit,
        ...(after === undefined ? {} : { afterId: after.id }),
      }),
  });
  return {
    resources: page.rows.map(toEndpoint),
    total: await countEndpoints(deps.store.db, filter),
    ...(page.next === undefined ? {} : { next: page.next }),
  };
}

export async function readEndpoint(store: Store, id: string): Promise<Endpoint> {
  const [endpoint] = await listEndpoints(store.db, { id });
  if (endpoint === undefined) {
    throw new GatewayError(
      'ENLACE_RESOURCE_NOT_FOUND',
      `Endpoint/${id.slice(0, 64)} is not known.`,
    );
  }
  return toEndpoint(endpoint);
}
