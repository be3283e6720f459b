// Reads and writes partner rows through kysely, for either engine; rows become domain records here and only here.
import type { JWK } from 'jose';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../store/index.js';
import type {
  ClientRegistration,
  Partner,
  PartnerEndpoint,
  PartnerStatus,
  RegisteredClient,
  SigningAlgorithm,
} from './partner.js';
import type { PartnerRole } from './roles.js';

type PartnerRow = Selectable<Database['partner']>;
type ClientRow = Selectable<Database['partner_client']>;
type EndpointRow = Selectable<Database['partner_endpoint']>;

export interface PartnerFilter {
  readonly role?: PartnerRole;
  readonly status?: PartnerStatus;
  /** Case-insensitive prefix of the name, as FHIR string search matches. */
  readonly namePrefix?: string;
  readonly id?: string;
  readonly limit?: number;
}

const toPartner = (row: PartnerRow): Partner => ({
  id: row.id,
  name: row.name,
  role: row.role as PartnerRole,
  status: row.status as PartnerStatus,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  version: row.version,
});

const toClient = (row: ClientRow): ClientRegistration => ({
  clientId: row.client_id,
  partnerId: row.partner_id,
  allowedAlgorithms: JSON.parse(row.allowed_algorithms) as SigningAlgorithm[],
  ...(row.jwks === null ? {} : { jwks: JSON.parse(row.jwks) as { keys: JWK[] } }),
  certificateFingerprints: JSON.parse(row.certificate_fingerprints) as string[],
  createdAt: row.created_at,
});

const toEndpoint = (row: EndpointRow): PartnerEndpoint => ({
  id: row.id,
  partnerId: row.partner_id,
  address: row.address,
  status: row.status as PartnerEndpoint['status'],
});

export async function insertPartner(db: Kysely<Database>, partner: Partner): Promise<void> {
  await db
    .insertInto('partner')
    .values({
      id: partner.id,
      name: partner.name,
      role: partner.role,
      status: partner.status,
      created_at: partner.createdAt,
      updated_at: partner.updatedAt,
      version: partner.version,
    })
    .execute();
}

export async function findPartner(db: Kysely<Database>, id: string): Promise<Partner | undefined> {
  const row = await db.selectFrom('partner').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toPartner(row);
}

/** Escapes LIKE wildcards so a searched name matches literally. */
const likePrefix = (text: string): string => `${text.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;

export async function listPartners(
  db: Kysely<Database>,
  filter: PartnerFilter = {},
): Promise<Partner[]> {
  let query = db.selectFrom('partner').selectAll().orderBy('id');
  if (filter.role !== undefined) query = query.where('role', '=', filter.role);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.id !== undefined) query = query.where('id', '=', filter.id);
  if (filter.namePrefix !== undefined) {
    const pattern = likePrefix(filter.namePrefix);
    // ESCAPE is spelled out because SQLite, unlike PostgreSQL, has no default LIKE escape.
    query = query.where(sql<boolean>`lower(name) LIKE ${pattern} ESCAPE '\\'`);
  }
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  return (await query.execute()).map(toPartner);
}

/** Sets the status and bumps the version; returns the updated partner, or undefined if unknown. */
export async function updatePartnerStatus(
  db: Kysely<Database>,
  id: string,
  status: PartnerStatus,
  at: string,
): Promise<Partner | undefined> {
  await db
    .updateTable('partner')
    .set((eb) => ({ status, updated_at: at, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .execute();
  return findPartner(db, id);
}

export async function insertClient(
  db: Kysely<Database>,
  client: ClientRegistration,
): Promise<void> {
  await db
    .insertInto('partner_client')
    .values({
      client_id: client.clientId,
      partner_id: client.partnerId,
      allowed_algorithms: JSON.stringify(client.allowedAlgorithms),
      jwks: client.jwks === undefined ? null : JSON.stringify(client.jwks),
      certificate_fingerprints: JSON.stringify(client.certificateFingerprints),
      created_at: client.createdAt,
    })
    .execute();
}

/** The client and its partner in one query: authentication needs both, on every token request. */
export async function findRegisteredClient(
  db: Kysely<Database>,
  clientId: string,
): Promise<RegisteredClient | undefined> {
  const row = await db
    .selectFrom('partner_client')
    .innerJoin('partner', 'partner.id', 'partner_client.partner_id')
    .selectAll('partner_client')
    .select([
      'partner.id as p_id',
      'partner.name as p_name',
      'partner.role as p_role',
      'partner.status as p_status',
      'partner.created_at as p_created_at',
      'partner.updated_at as p_updated_at',
      'partner.version as p_version',
    ])
    .where('partner_client.client_id', '=', clientId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    client: toClient(row),
    partner: toPartner({
      id: row.p_id,
      name: row.p_name,
      role: row.p_role,
      status: row.p_status,
      created_at: row.p_created_at,
      updated_at: row.p_updated_at,
      version: row.p_version,
    }),
  };
}

export async function listClients(
  db: Kysely<Database>,
  partnerId: string,
): Promise<ClientRegistration[]> {
  const rows = await db
    .selectFrom('partner_client')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .orderBy('created_at')
    .execute();
  return rows.map(toClient);
}

export async function insertEndpoint(
  db: Kysely<Database>,
  endpoint: PartnerEndpoint,
): Promise<void> {
  await db
    .insertInto('partner_endpoint')
    .values({
      id: endpoint.id,
      partner_id: endpoint.partnerId,
      address: endpoint.address,
      status: endpoint.status,
    })
    .execute();
}

export async function listEndpoints(
  db: Kysely<Database>,
  filter: { readonly partnerId?: string; readonly id?: string } = {},
): Promise<PartnerEndpoint[]> {
  let query = db.selectFrom('partner_endpoint').selectAll().orderBy('id');
  if (filter.partnerId !== undefined) query = query.where('partner_id', '=', filter.partnerId);
  if (filter.id !== undefined) query = query.where('id', '=', filter.id);
  return (await query.execute()).map(toEndpoint);
}
