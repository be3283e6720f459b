// The partner directory partners read: Organization and Endpoint search and read, from FHIR search parameters.
import type { Endpoint, Organization } from '@medplum/fhirtypes';
import { GatewayError } from '../kernel/index.js';
import type { Store } from '../store/index.js';
import type { PartnerFilter } from './partner-repository.js';
import { findPartner, listEndpoints, listPartners } from './partner-repository.js';
import { isPartnerRole, ORGANIZATION_ROLE_SYSTEM, PARTNER_ID_SYSTEM } from './roles.js';
import { toEndpoint, toOrganization } from './to-fhir.js';

export const organizationSearchParams = ['type', 'name', 'identifier', '_id', 'active'] as const;
export const endpointSearchParams = ['organization', '_id'] as const;

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

export async function searchOrganizations(
  store: Store,
  query: ReadonlyMap<string, string>,
  limit: number,
): Promise<Organization[]> {
  const filter = organizationFilter(query);
  if (filter === 'none') return [];
  const [partners, endpoints] = await Promise.all([
    listPartners(store.db, { ...filter, limit }),
    listEndpoints(store.db),
  ]);
  return partners.map((partner) =>
    toOrganization(
      partner,
      endpoints.filter((endpoint) => endpoint.partnerId === partner.id),
    ),
  );
}

export async function readOrganization(store: Store, id: string): Promise<Organization> {
  const partner = await findPartner(store.db, id);
  if (partner === undefined) {
    throw new GatewayError(
      'ENLACE_RESOURCE_NOT_FOUND',
      `Organization/${id.slice(0, 64)} is not known.`,
    );
  }
  return toOrganization(partner, await listEndpoints(store.db, { partnerId: id }));
}

export async function searchEndpoints(
  store: Store,
  query: ReadonlyMap<string, string>,
): Promise<Endpoint[]> {
  const organization = query.get('organization')?.replace(/^Organization\//, '');
  const id = query.get('_id');
  const endpoints = await listEndpoints(store.db, {
    ...(organization === undefined ? {} : { partnerId: organization }),
    ...(id === undefined ? {} : { id }),
  });
  return endpoints.map(toEndpoint);
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
