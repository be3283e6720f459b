// Reads and writes consent rows through kysely, for either engine; rows become domain records here and only here.
import type { Consent } from '@medplum/fhirtypes';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../store/index.js';
import type {
  ConsentChange,
  ConsentRecord,
  ConsentStatus,
  ConsentVersion,
} from './consent-record.js';

type ConsentRow = Selectable<Database['consent']>;
type VersionRow = Selectable<Database['consent_version']>;

const toRecord = (row: ConsentRow): ConsentRecord => ({
  id: row.id,
  version: row.version,
  pseudonym: row.pseudonym,
  keyId: row.key_id,
  status: row.status as ConsentStatus,
  recorder: row.recorder,
  recordedAt: row.recorded_at,
  updatedAt: row.updated_at,
  resource: JSON.parse(row.resource) as Consent,
});

const toVersion = (row: VersionRow): ConsentVersion => ({
  id: row.id,
  version: row.version,
  resource: JSON.parse(row.resource) as Consent,
  changedAt: row.changed_at,
  changedBy: row.changed_by,
  change: row.change as ConsentChange,
});

export async function insertConsent(db: Kysely<Database>, record: ConsentRecord): Promise<void> {
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
      resource: JSON.stringify(record.resource),
    })
    .execute();
}

export async function insertConsentVersion(
  db: Kysely<Database>,
  version: ConsentVersion,
): Promise<void> {
  await db
    .insertInto('consent_version')
    .values({
      id: version.id,
      version: version.version,
      resource: JSON.stringify(version.resource),
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
  expected: number,
  next: ConsentRecord,
): Promise<boolean> {
  const result = await db
    .updateTable('consent')
    .set({
      version: next.version,
      status: next.status,
      updated_at: next.updatedAt,
      resource: JSON.stringify(next.resource),
    })
    .where('id', '=', next.id)
    .where('version', '=', expected)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function findConsent(
  db: Kysely<Database>,
  id: string,
): Promise<ConsentRecord | undefined> {
  const row = await db.selectFrom('consent').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toRecord(row);
}

/** Consents of any of these pseudonyms, newest first; `status` narrows when given. */
export async function findConsentsOf(
  db: Kysely<Database>,
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
  return rows.map(toRecord);
}

/** Every version of one consent, newest first. */
export async function listConsentVersions(
  db: Kysely<Database>,
  id: string,
): Promise<ConsentVersion[]> {
  const rows = await db
    .selectFrom('consent_version')
    .selectAll()
    .where('id', '=', id)
    .orderBy('version', 'desc')
    .execute();
  return rows.map(toVersion);
}

/**
 * For each consent of these pseudonyms, the version in force at `asOf` (the newest changed at or
 * before it); consents recorded later are absent. This is how a past decision is reconstructed.
 */
export async function findVersionsAsOf(
  db: Kysely<Database>,
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
  const newest = new Map<string, ConsentVersion>();
  for (const row of rows) if (!newest.has(row.id)) newest.set(row.id, toVersion(row));
  return [...newest.values()];
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
