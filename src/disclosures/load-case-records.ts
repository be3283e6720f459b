// Reads what the case tables hold about her, by pseudonym: referrals, grants, consents and consent releases.
import type { Kysely } from 'kysely';
import { dataClasses, type DataClass } from '../consent/index.js';
import type { Database } from '../store/index.js';
import type { ConsentSummary, GrantSummary } from './types.js';

/** Each list is bounded: a survivor has few of each; the bounds only stop a pathological case. */
export const CASE_LIMITS = { referrals: 500, grants: 200, consents: 100, releases: 2000 } as const;

export interface ReferralFacts {
  readonly id: string;
  readonly sender: string;
  readonly recipient: string;
  readonly purpose: string;
  readonly dataClasses: readonly DataClass[];
}

/** A release under consent, as consent_disclosure records it. */
export interface ConsentRelease {
  readonly recipient: string;
  readonly reference: string;
  readonly at: string;
  readonly dataClasses: readonly DataClass[];
}

export interface CaseRecords {
  readonly referrals: ReadonlyMap<string, ReferralFacts>;
  readonly grants: ReadonlyMap<string, GrantSummary>;
  /** By `Consent/<id>/_history/<version>`. */
  readonly consents: ReadonlyMap<string, ConsentSummary>;
  readonly releases: readonly ConsentRelease[];
  /** True when a list reached its bound. */
  readonly truncated: boolean;
}

const toClasses = (value: unknown): DataClass[] =>
  Array.isArray(value)
    ? value.filter((item): item is DataClass => (dataClasses as readonly unknown[]).includes(item))
    : [];

function readRelease(row: {
  recipient: string;
  disclosed_at: string;
  what: string;
}): ConsentRelease {
  const what = JSON.parse(row.what) as { reference?: unknown; dataClasses?: unknown };
  return {
    recipient: row.recipient,
    reference: typeof what.reference === 'string' ? what.reference : '',
    at: row.disclosed_at,
    dataClasses: toClasses(what.dataClasses),
  };
}

async function loadGrants(db: Kysely<Database>, pseudonyms: readonly string[]) {
  const rows = await db
    .selectFrom('emergency_grant')
    .selectAll()
    .where('pseudonym', 'in', [...pseudonyms])
    .orderBy('granted_at', 'desc')
    .limit(CASE_LIMITS.grants)
    .execute();
  const grants = rows.map((row): GrantSummary => ({
    id: row.id,
    organization: row.organization,
    justification: row.justification,
    ...(row.risk_level === null ? {} : { riskLevel: row.risk_level }),
    grantedAt: row.granted_at,
    expiresAt: row.expires_at,
    ...(row.stopped_at === null ? {} : { stoppedAt: row.stopped_at }),
    review: (row.review_outcome ?? 'pending') as GrantSummary['review'],
    ...(row.reviewed_at === null ? {} : { reviewedAt: row.reviewed_at }),
  }));
  return { grants, full: rows.length === CASE_LIMITS.grants };
}

async function loadConsents(db: Kysely<Database>, pseudonyms: readonly string[]) {
  const consents = await db
    .selectFrom('consent')
    .select(['id', 'recorder'])
    .where('pseudonym', 'in', [...pseudonyms])
    .orderBy('recorded_at', 'desc')
    .limit(CASE_LIMITS.consents)
    .execute();
  const ids = consents.map((row) => row.id);
  const recorders = new Map(consents.map((row) => [row.id, row.recorder]));
  const versions =
    ids.length === 0
      ? []
      : await db
          .selectFrom('consent_version')
          .select(['id', 'version', 'changed_at'])
          .where('id', 'in', ids)
          .execute();
  const summaries = new Map<string, ConsentSummary>();
  for (const row of versions) {
    const reference = `Consent/${row.id}/_history/${row.version}`;
    const recorder = recorders.get(row.id);
    summaries.set(reference, {
      reference,
      recordedAt: row.changed_at,
      ...(recorder === undefined ? {} : { recorder }),
    });
  }
  return { ids, summaries, full: consents.length === CASE_LIMITS.consents };
}

export async function loadCaseRecords(
  db: Kysely<Database>,
  pseudonyms: readonly string[],
): Promise<CaseRecords> {
  const referralRows = await db
    .selectFrom('referral')
    .select(['id', 'sender', 'recipient', 'purpose', 'data_classes'])
    .where('pseudonym', 'in', [...pseudonyms])
    .orderBy('created_at', 'desc')
    .limit(CASE_LIMITS.referrals)
    .execute();
  const referrals = new Map(
    referralRows.map((row) => [
      row.id,
      {
        id: row.id,
        sender: row.sender,
        recipient: row.recipient,
        purpose: row.purpose,
        dataClasses: toClasses(JSON.parse(row.data_classes)),
      },
    ]),
  );
  const grants = await loadGrants(db, pseudonyms);
  const consents = await loadConsents(db, pseudonyms);
  const releaseRows =
    consents.ids.length === 0
      ? []
      : await db
          .selectFrom('consent_disclosure')
          .select(['recipient', 'disclosed_at', 'what'])
          .where('consent_id', 'in', consents.ids)
          .orderBy('disclosed_at', 'desc')
          .limit(CASE_LIMITS.releases)
          .execute();
  return {
    referrals,
    grants: new Map(grants.grants.map((grant) => [grant.id, grant])),
    consents: consents.summaries,
    releases: releaseRows.map(readRelease),
    truncated:
      referralRows.length === CASE_LIMITS.referrals ||
      grants.full ||
      consents.full ||
      releaseRows.length === CASE_LIMITS.releases,
  };
}
