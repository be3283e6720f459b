// Migration 0014: every Task version is kept (the loop is a sequence of versions), and consents are found by a keyed digest of their business identifier (If-None-Exist).
import type { Kysely } from 'kysely';
import type { StoreMigration } from './store-migration.js';

/** The tables as this migration reads and writes them; frozen here so later changes cannot alter it. */
interface Tables {
  referral: {
    id: string;
    status: string;
    task: string;
    task_version: number;
    updated_at: string;
  };
  task_version: {
    referral_id: string;
    version: number;
    status: string;
    task: string;
    changed_at: string;
    change: string;
  };
}

async function up(untyped: Kysely<unknown>): Promise<void> {
  const db = untyped as unknown as Kysely<Tables>;
  await db.schema
    .createTable('task_version')
    .addColumn('referral_id', 'text', (column) =>
      column.notNull().references('referral.id').onDelete('restrict'),
    )
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('task', 'text', (column) => column.notNull())
    .addColumn('changed_at', 'text', (column) => column.notNull())
    .addColumn('change', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('task_version_pk', ['referral_id', 'version'])
    .execute();
  // Why only the current version: earlier ones were overwritten before versions were kept. A
  // version 1 is still the creation; a later one is marked `migrated` (how it was made is unknown).
  const referrals = await db
    .selectFrom('referral')
    .select(['id', 'status', 'task', 'task_version', 'updated_at'])
    .execute();
  for (const referral of referrals) {
    await db
      .insertInto('task_version')
      .values({
        referral_id: referral.id,
        version: referral.task_version,
        status: referral.status,
        task: referral.task,
        changed_at: referral.updated_at,
        change: referral.task_version === 1 ? 'create' : 'migrated',
      })
      .execute();
  }

  // Why a keyed digest, not the identifier: a partner may number a consent with her national id,
  // and the raw identifier must never be stored. The digest is the pseudonym of `system|value`
  // (the same keyed HMAC as hers), which a migration cannot compute: consents recorded before
  // 0014 are matched by If-None-Exist through `patient`, not `identifier`.
  await db.schema
    .createTable('consent_identifier')
    .addColumn('consent_id', 'text', (column) =>
      column.notNull().references('consent.id').onDelete('restrict'),
    )
    .addColumn('digest', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('consent_identifier_pk', ['digest', 'consent_id'])
    .execute();
}

export const fhirVersions: StoreMigration = { name: '0014-fhir-versions', up };
