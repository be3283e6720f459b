// Reads and writes of emergency_grant; every "in force" test is one SQL predicate shared by all callers.
import { sql, type Kysely } from 'kysely';
import type { Database, Dialect } from '../../store/index.js';
import type { EmergencyGrantLookup } from '../types.js';
import { toEmergencyGrant, toGrantRecord, type GrantRecord } from './grant-record.js';

const iso = (date: Date): string => date.toISOString();

export async function insertGrant(db: Kysely<Database>, grant: GrantRecord): Promise<void> {
  await db
    .insertInto('emergency_grant')
    .values({
      id: grant.id,
      pseudonym: grant.pseudonym,
      key_id: grant.keyId,
      organization: grant.organization,
      role: grant.role,
      justification: grant.justification,
      risk_level: grant.riskLevel ?? null,
      granted_at: iso(grant.grantedAt),
      expires_at: iso(grant.expiresAt),
      stopped_at: null,
      reviewed_at: null,
      reviewed_by: null,
      review_outcome: null,
      review_note: null,
    })
    .execute();
}

export async function findGrant(
  db: Kysely<Database>,
  id: string,
): Promise<GrantRecord | undefined> {
  const row = await db
    .selectFrom('emergency_grant')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : toGrantRecord(row);
}

/** The grant in force at `at` for any of the pseudonyms and exactly this institution. */
export async function findActiveGrantRecord(
  db: Kysely<Database>,
  survivor: readonly string[],
  organization: string,
  at: Date,
): Promise<GrantRecord | undefined> {
  // Why no query for an empty list: `in ()` is invalid SQL, and no pseudonym means no survivor.
  if (survivor.length === 0) return undefined;
  const row = await db
    .selectFrom('emergency_grant')
    .selectAll()
    .where('pseudonym', 'in', [...survivor])
    // Why exact match: a grant is given to one institution and never widens to another.
    .where('organization', '=', organization)
    .where('granted_at', '<=', iso(at))
    .where('expires_at', '>', iso(at))
    .where('stopped_at', 'is', null)
    .orderBy('expires_at', 'desc')
    .orderBy('id')
    .executeTakeFirst();
  return row === undefined ? undefined : toGrantRecord(row);
}

/** The consent gate's lookup: a grant in force for this survivor and institution, or undefined. */
export const findActiveGrant: EmergencyGrantLookup = async (db, survivor, organization, at) => {
  const grant = await findActiveGrantRecord(db, survivor, organization, at);
  return grant === undefined ? undefined : toEmergencyGrant(grant);
};

export async function countActiveGrants(
  db: Kysely<Database>,
  organization: string,
  at: Date,
): Promise<number> {
  const { count } = await db
    .selectFrom('emergency_grant')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('organization', '=', organization)
    .where('granted_at', '<=', iso(at))
    .where('expires_at', '>', iso(at))
    .where('stopped_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(count);
}

/**
 * Serialises grant openings of one institution until the transaction ends, so two concurrent
 * requests cannot both pass the "already active" and "too many" checks. SQLite has one writer
 * connection already; PostgreSQL takes a transaction-scoped advisory lock.
 */
export async function lockOrganization(
  db: Kysely<Database>,
  dialect: Dialect,
  organization: string,
): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`select pg_advisory_xact_lock(hashtext(${`enlace-emergency:${organization}`}))`.execute(
    db,
  );
}

/** Sets stopped_at unless already set; true when this call stopped it (so only one STOP event). */
export async function markStopped(
  db: Kysely<Database>,
  id: string,
  at: Date,
  options: { readonly onlyIfExpired: boolean },
): Promise<boolean> {
  let query = db
    .updateTable('emergency_grant')
    .set({ stopped_at: iso(at) })
    .where('id', '=', id)
    // Why conditional: several gateway instances may sweep at once; only one may write the STOP.
    .where('stopped_at', 'is', null);
  query = options.onlyIfExpired
    ? query.where('expires_at', '<=', iso(at))
    : query.where('expires_at', '>', iso(at));
  const result = await query.executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Ids of grants past their expiry that no STOP has closed yet, oldest first. */
export async function listExpiredOpenGrants(
  db: Kysely<Database>,
  at: Date,
  limit: number,
): Promise<GrantRecord[]> {
  const rows = await db
    .selectFrom('emergency_grant')
    .selectAll()
    .where('stopped_at', 'is', null)
    .where('expires_at', '<=', iso(at))
    .orderBy('expires_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toGrantRecord);
}

export interface ReviewQuery {
  /** true: reviewed only; false: the queue still to review; undefined: both. */
  readonly reviewed?: boolean;
  readonly limit: number;
}

/** Grants for auditors, oldest first so the queue is worked in the order grants were given. */
export async function listGrants(db: Kysely<Database>, query: ReviewQuery): Promise<GrantRecord[]> {
  let select = db.selectFrom('emergency_grant').selectAll();
  if (query.reviewed === true) select = select.where('reviewed_at', 'is not', null);
  if (query.reviewed === false) select = select.where('reviewed_at', 'is', null);
  const rows = await select.orderBy('granted_at').orderBy('id').limit(query.limit).execute();
  return rows.map(toGrantRecord);
}

export interface ReviewWrite {
  readonly id: string;
  readonly at: Date;
  readonly by: string;
  readonly outcome: string;
  readonly note: string | undefined;
}

/** Records the review unless one exists; true when this call recorded it. */
export async function markReviewed(db: Kysely<Database>, review: ReviewWrite): Promise<boolean> {
  const result = await db
    .updateTable('emergency_grant')
    .set({
      reviewed_at: iso(review.at),
      reviewed_by: review.by,
      review_outcome: review.outcome,
      review_note: review.note ?? null,
    })
    .where('id', '=', review.id)
    // Why conditional: a review is final; a second auditor cannot overwrite the first.
    .where('reviewed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
