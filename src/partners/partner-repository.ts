// Reads and writes partner rows through kysely, for either engine; rows become domain records here and only here.
import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../store/index.js';
import type {
  ClientKey,
  ClientRegistration,
  NewClient,
  Partner,
  PartnerEndpoint,
  PartnerStatus,
  RegisteredClient,
  SigningAlgorithm,
} from './partner.js';
import type { PartnerRole } from './roles.js';

type PartnerRow = Selectable<Database['partner']>;
type ClientRow = Selectable<Database['partner_client']>;
type KeyRow = Selectable<Database['partner_key']>;
type EndpointRow = Selectable<Database['partner_endpoint']>;

export interface PartnerFilter {
  readonly role?: PartnerRole;
  readonly status?: PartnerStatus;
  /** Case-insensitive prefix of the name, as FHIR string search matches. */
  readonly namePrefix?: string;
  readonly id?: string;
}

/** A total order of partners: by id, or by last update then id. */
export interface PartnerOrder {
  readonly column: 'id' | 'updated_at';
  readonly direction: 'asc' | 'desc';
}

/** One keyset page: the partners strictly past `after` (the last row seen) in `order`. */
export interface PartnerPage {
  readonly order?: PartnerOrder;
  readonly after?: { readonly key: string; readonly id: string };
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
  createdAt: row.created_at,
  ...(row.removed_at === null ? {} : { removedAt: row.removed_at }),
});

const toKey = (row: KeyRow): ClientKey => {
  const window = {
    id: row.id,
    clientId: row.client_id,
    partnerId: row.partner_id,
    addedAt: row.added_at,
    ...(row.retires_at === null ? {} : { retiresAt: row.retires_at }),
  };
  if (row.jwk !== null) {
    return { ...window, kind: 'jwk', kid: row.kid ?? '', jwk: JSON.parse(row.jwk) as JWK };
  }
  return {
    ...window,
    kind: 'certificate',
    fingerprint: row.certificate_fingerprint ?? '',
    ...(row.certificate === null ? {} : { certificate: row.certificate }),
  };
};

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

/** The partners a filter selects, before any order or page. */
function selectPartners(db: Kysely<Database>, filter: PartnerFilter) {
  let query = db.selectFrom('partner');
  if (filter.role !== undefined) query = query.where('role', '=', filter.role);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.id !== undefined) query = query.where('id', '=', filter.id);
  if (filter.namePrefix !== undefined) {
    const pattern = likePrefix(filter.namePrefix);
    // ESCAPE is spelled out because SQLite, unlike PostgreSQL, has no default LIKE escape.
    query = query.where(sql<boolean>`lower(name) LIKE ${pattern} ESCAPE '\\'`);
  }
  return query;
}

/** Partners by id unless another order is given; the id breaks ties, so the order is total. */
export async function listPartners(
  db: Kysely<Database>,
  filter: PartnerFilter & PartnerPage = {},
): Promise<Partner[]> {
  const order = filter.order ?? { column: 'id', direction: 'asc' };
  const past = order.direction === 'asc' ? '>' : '<';
  let query = selectPartners(db, filter).selectAll();
  const after = filter.after;
  if (after !== undefined) {
    query =
      order.column === 'id'
        ? query.where('id', past, after.id)
        : query.where((eb) =>
            eb(eb.refTuple('updated_at', 'id'), past, eb.tuple(after.key, after.id)),
          );
  }
  query = query.orderBy(order.column, order.direction);
  if (order.column !== 'id') query = query.orderBy('id', order.direction);
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  return (await query.execute()).map(toPartner);
}

/** How many partners a filter selects. */
export async function countPartners(db: Kysely<Database>, filter: PartnerFilter): Promise<number> {
  const row = await selectPartners(db, filter)
    .select((eb) => eb.fn.countAll().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
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

/** Inserts the client and the keys it starts with. */
export async function insertClient(db: Kysely<Database>, client: NewClient): Promise<ClientKey[]> {
  await db
    .insertInto('partner_client')
    .values({
      client_id: client.clientId,
      partner_id: client.partnerId,
      allowed_algorithms: JSON.stringify(client.allowedAlgorithms),
      created_at: client.createdAt,
      removed_at: null,
    })
    .execute();
  return insertClientKeys(db, client, client, client.createdAt);
}

/** Adds keys to a client, working from `addedAt` until a rotation or removal retires them. */
export async function insertClientKeys(
  db: Kysely<Database>,
  client: Pick<ClientRegistration, 'clientId' | 'partnerId'>,
  keys: Pick<NewClient, 'jwks' | 'certificates'>,
  addedAt: string,
): Promise<ClientKey[]> {
  const rows: KeyRow[] = [
    ...(keys.jwks?.keys ?? []).map((jwk) => ({
      kid: jwk.kid ?? null,
      jwk: JSON.stringify(jwk),
      certificate_fingerprint: null,
      certificate: null,
    })),
    ...(keys.certificates ?? []).map((bound) => ({
      kid: null,
      jwk: null,
      certificate_fingerprint: bound.fingerprint.toUpperCase(),
      certificate: bound.certificate ?? null,
    })),
  ].map((key) => ({
    ...key,
    id: randomUUID(),
    client_id: client.clientId,
    partner_id: client.partnerId,
    added_at: addedAt,
    retires_at: null,
  }));
  if (rows.length > 0) await db.insertInto('partner_key').values(rows).execute();
  return rows.map(toKey);
}

/** Every key a partner's clients ever had, retired ones and removed clients' included. */
export async function listClientKeys(
  db: Kysely<Database>,
  partnerId: string,
): Promise<ClientKey[]> {
  const rows = await db
    .selectFrom('partner_key')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .orderBy('added_at')
    .orderBy('id')
    .execute();
  return rows.map(toKey);
}

/**
 * Sets the end of every key of the client that would otherwise work past `at` to `at`; a key that
 * already retires sooner keeps its earlier end (a rotation never lengthens an old key's life).
 */
export async function retireClientKeys(
  db: Kysely<Database>,
  clientId: string,
  at: string,
): Promise<void> {
  await db
    .updateTable('partner_key')
    .set({ retires_at: at })
    .where('client_id', '=', clientId)
    .where((eb) => eb.or([eb('retires_at', 'is', null), eb('retires_at', '>', at)]))
    .execute();
}

export async function markClientRemoved(
  db: Kysely<Database>,
  clientId: string,
  at: string,
): Promise<void> {
  await db
    .updateTable('partner_client')
    .set({ removed_at: at })
    .where('client_id', '=', clientId)
    .execute();
}

/**
 * Takes the partner's row lock for the rest of the transaction (PostgreSQL; SQLite has one writer
 * anyway), so two operators changing one partner's clients at once are serialized. Returns false
 * when the partner does not exist.
 */
export async function lockPartner(db: Kysely<Database>, partnerId: string): Promise<boolean> {
  const result = await db
    .updateTable('partner')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', partnerId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
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
    // Why here: every token request and every authenticated call reads this; a removed client
    // (and each of its live tokens) stops at once, on every instance.
    .where('partner_client.removed_at', 'is', null)
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

export interface EndpointFilter {
  readonly partnerId?: string;
  readonly id?: string;
}

/** Endpoints by id; with `afterId` and `limit`, one keyset page of them. */
export async function listEndpoints(
  db: Kysely<Database>,
  filter: EndpointFilter & { readonly afterId?: string; readonly limit?: number } = {},
): Promise<PartnerEndpoint[]> {
  // Why the partner's creation time: an endpoint is written with its partner and never changed, so
  // that is when its only version was made (the FHIR Endpoint's meta.lastUpdated).
  let query = db
    .selectFrom('partner_endpoint')
    .innerJoin('partner', 'partner.id', 'partner_endpoint.partner_id')
    .selectAll('partner_endpoint')
    .select('partner.created_at as registered_at')
    .orderBy('partner_endpoint.id');
  if (filter.partnerId !== undefined) {
    query = query.where('partner_endpoint.partner_id', '=', filter.partnerId);
  }
  if (filter.id !== undefined) query = query.where('partner_endpoint.id', '=', filter.id);
  if (filter.afterId !== undefined) query = query.where('partner_endpoint.id', '>', filter.afterId);
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  return (await query.execute()).map((row) => ({
    ...toEndpoint(row),
    registeredAt: row.registered_at,
  }));
}

/** How many endpoints a filter selects. */
export async function countEndpoints(
  db: Kysely<Database>,
  filter: EndpointFilter,
): Promise<number> {
  let query = db.selectFrom('partner_endpoint');
  if (filter.partnerId !== undefined) query = query.where('partner_id', '=', filter.partnerId);
  if (filter.id !== undefined) query = query.where('id', '=', filter.id);
  const row = await query.select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}
