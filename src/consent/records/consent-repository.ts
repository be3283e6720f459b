// Reads and writes consent rows through kysely, for either engine; rows become domain records here and only here.
import type { Consent } from '@medplum/fhirtypes';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { PayloadVault } from '../../crypto/index.js';
import type { Database, Dialect } from '../../store/index.js';
import type {
  ConsentChange,
  ConsentRecord,
  ConsentStatus,
  ConsentVersion,
} from './consent-record.js';

type ConsentRow = Selectable<Database['consent']>;
type VersionRow = Selectable<Database['consent_version']>;

/** What seals consents at rest, and what opens them: the payload vault. */
type ConsentSealer = Pick<PayloadVault, 'seal'>;
type ConsentOpener = Pick<PayloadVault, 'open'>;

/**
 * Why sealed like referrals: a consent holds free text a partner wrote (a revocation reason, texts
 * and displays) that may name her, and says which institutions serve her for what. The aad binds
 * each blob to its consent and version, so one copied to another row or version does not open.
 */
export const consentContext = (id: string, version: number): string => `consent:${id}:${version}`;

const sealConsent = async (
  vault: ConsentSealer,
  id: string,
  version: number,
  resource: Consent,
): Promise<string> =>
  (await vault.seal(JSON.stringify(resource), consentContext(id, version))).blob;

const openConsent = async (
  vault: ConsentOpener,
  id: string,
  version: number,
  blob: string,
): Promise<Consent> =>
  JSON.parse(
    new TextDecoder().decode(await vault.open(blob, consentContext(id, version))),
  ) as Consent;

const toRecord = async (vault: ConsentOpener, row: ConsentRow): Promise<ConsentRecord> => ({
  id: row.id,
  version: row.version,
  pseudonym: row.pseudonym,
  keyId: row.key_id,
  status: row.status as ConsentStatus,
  recorder: row.recorder,
  recordedAt: row.recorded_at,
  updatedAt: row.updated_at,
  resource: await openConsent(vault, row.id, row.version, row.resource),
});

const toVersion = async (vault: ConsentOpener, row: VersionRow): Promise<ConsentVersion> => ({
  id: row.id,
  version: row.version,
  resource: await openConsent(vault, row.id, row.version, row.resource),
  changedAt: row.changed_at,
  changedBy: row.changed_by,
  change: row.change as ConsentChange,
});

export async function insertConsent(
  db: Kysely<Database>,
  vault: ConsentSealer,
  record: ConsentRecord,
): Promise<void> {
  await db
    .insertInto('consent')
    .values({
      id: record.id,
      version: record.version,
      pseudonym: record.pseudonym,
      key_id: record.keyId,
      status: record.status,
      recorder: record.recorder,
      recorded_at: record.recordedAt,
      updated_at: record.updatedAt,
      resource: await sealConsent(vault, record.id, record.version, record.resource),
    })
    .execute();
}

/** Keeps the digests of a consent's business identifiers (see consent-match), each once. */
export async function insertConsentIdentifiers(
  db: Kysely<Database>,
  consentId: string,
  digests: readonly string[],
): Promise<void> {
  const unique = [...new Set(digests)];
  if (unique.length === 0) return;
  await db
    .insertInto('consent_identifier')
    .values(unique.map((digest) => ({ consent_id: consentId, digest })))
    .execute();
}

/** Ids of the consents carrying a business identifier with any of these digests, any recorder. */
export async function findConsentIdsByIdentifier(
  db: Kysely<Database>,
  digests: readonly string[],
): Promise<string[]> {
  if (digests.length === 0) return [];
  const rows = await db
    .selectFrom('consent_identifier')
    .select('consent_id')
    .distinct()
    .where('digest', 'in', [...digests])
    .orderBy('consent_id')
    .execute();
  return rows.map((row) => row.consent_id);
}

/**
 * Serialises conditional creates of consents until the transaction ends, so two identical ones
 * cannot both find nothing and both create. SQLite has one writer already (BEGIN IMMEDIATE);
 * PostgreSQL takes a transaction-scoped advisory lock. Consents are recorded at human pace, so
 * one lock for all of them costs nothing measurable and catches queries that differ in form.
 */
export async function lockConditionalCreates(
  db: Kysely<Database>,
  dialect: Dialect,
): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`select pg_advisory_xact_lock(hashtext('enlace-consent-conditional-create'))`.execute(
    db,
  );
}

export async function insertConsentVersion(
  db: Kysely<Database>,
  vault: ConsentSealer,
  version: ConsentVersion,
): Promise<void> {
  await db
    .insertInto('consent_version')
    .values({
      id: version.id,
      version: version.version,
      resource: await sealConsent(vault, version.id, version.version, version.resource),
      changed_at: version.changedAt,
      changed_by: version.changedBy,
      change: version.change,
    })
    .execute();
}

/**
 * Moves a consent to its next version only if it is still at `expected`: of two concurrent
 * changes exactly one wins, the other learns it lost. Returns whether this call won.
 */
export async function updateConsent(
  db: Kysely<Database>,
  vault: ConsentSealer,
  expected: number,
  next: ConsentRecord,
): Promise<boolean> {
  const result = await db
    .updateTable('consent')
    .set({
      version: next.version,
      status: next.status,
      updated_at: next.updatedAt,
      resource: await sealConsent(vault, next.id, next.version, next.resource),
    })
    .where('id', '=', next.id)
    .where('version', '=', expected)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function findConsent(
  db: Kysely<Database>,
  vault: ConsentOpener,
  id: string,
): Promise<ConsentRecord | undefined> {
  const row = await db.selectFrom('consent').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toRecord(vault, row);
}

/** Consents of any of these pseudonyms, newest first; `status` narrows when given. */
export async function findConsentsOf(
  db: Kysely<Database>,
  vault: ConsentOpener,
  pseudonyms: readonly string[],
  status?: ConsentStatus,
): Promise<ConsentRecord[]> {
  if (pseudonyms.length === 0) return [];
  let query = db
    .selectFrom('consent')
    .selectAll()
    .where('pseudonym', 'in', [...pseudonyms]);
  if (status !== undefined) query = query.where('status', '=', status);
  const rows = await query.orderBy('recorded_at', 'desc').orderBy('id').execute();
  return Promise.all(rows.map((row) => toRecord(vault, row)));
}

/** Every version of one consent, newest first. */
export async function listConsentVersions(
  db: Kysely<Database>,
  vault: ConsentOpener,
  id: string,
): Promise<ConsentVersion[]> {
  const rows = await db
    .selectFrom('consent_version')
    .selectAll()
    .where('id', '=', id)
    .orderBy('version', 'desc')
    .execute();
  return Promise.all(rows.map((row) => toVersion(vault, row)));
}

/**
 * For each consent of these pseudonyms, the version in force at `asOf` (the newest changed at or
 * before it); consents recorded later are absent. This is how a past decision is reconstructed.
 */
export async function findVersionsAsOf(
  db: Kysely<Database>,
  vault: ConsentOpener,
  pseudonyms: readonly string[],
  asOf: Date,
): Promise<ConsentVersion[]> {
  if (pseudonyms.length === 0) return [];
  const rows = await db
    .selectFrom('consent_version')
    .innerJoin('consent', 'consent.id', 'consent_version.id')
    .selectAll('consent_version')
    .where('consent.pseudonym', 'in', [...pseudonyms])
    .where('consent_version.changed_at', '<=', asOf.toISOString())
    .orderBy('consent_version.id')
    .orderBy('consent_version.version', 'desc')
    .execute();
  const newest = new Map<string, VersionRow>();
  for (const row of rows) if (!newest.has(row.id)) newest.set(row.id, row);
  return Promise.all([...newest.values()].map((row) => toVersion(vault, row)));
}

/** Partner ids that received data under any version of this consent, each once, sorted. */
export async function listDisclosureRecipients(
  db: Kysely<Database>,
  consentId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('consent_disclosure')
    .select('recipient')
    .distinct()
    .where('consent_id', '=', consentId)
    .orderBy('recipient')
    .execute();
  return rows.map((row) => row.recipient);
}
