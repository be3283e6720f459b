// Migration 0007: governed break-the-glass grants and the notifications owed to partners.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { StoreMigration } from './store-migration.js';

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('emergency_grant')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('pseudonym', 'text', (column) => column.notNull())
    .addColumn('key_id', 'text', (column) => column.notNull())
    .addColumn('organization', 'text', (column) => column.notNull())
    .addColumn('role', 'text', (column) => column.notNull())
    .addColumn('justification', 'text', (column) => column.notNull())
    .addColumn('risk_level', 'text')
    .addColumn('granted_at', 'text', (column) => column.notNull())
    .addColumn('expires_at', 'text', (column) => column.notNull())
    .addColumn('stopped_at', 'text')
    .addColumn('reviewed_at', 'text')
    .addColumn('reviewed_by', 'text')
    .addColumn('review_outcome', 'text')
    .addColumn('review_note', 'text')
    .addCheckConstraint('emergency_grant_risk', sql`risk_level in ('high', 'extreme')`)
    .addCheckConstraint(
      'emergency_grant_outcome',
      sql`review_outcome in ('justified', 'unjustified', 'needs-follow-up')`,
    )
    .addCheckConstraint('emergency_grant_period', sql`expires_at > granted_at`)
    // Why: a review is all or nothing, so the queue never shows a half-reviewed grant.
    .addCheckConstraint(
      'emergency_grant_review',
      sql`(reviewed_at is null) = (review_outcome is null) and (reviewed_at is null) = (reviewed_by is null)`,
    )
    .execute();
  await db.schema
    .createIndex('emergency_grant_survivor')
    .on('emergency_grant')
    .columns(['pseudonym', 'organization'])
    .execute();
  await db.schema
    .createIndex('emergency_grant_organization')
    .on('emergency_grant')
    .columns(['organization', 'expires_at'])
    .execute();
  await db.schema
    .createIndex('emergency_grant_expiry')
    .on('emergency_grant')
    .columns(['stopped_at', 'expires_at'])
    .execute();
  await db.schema
    .createIndex('emergency_grant_review')
    .on('emergency_grant')
    .columns(['reviewed_at', 'granted_at'])
    .execute();

  await db.schema
    .createTable('notification')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('recipient', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('payload', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('delivered_at', 'text')
    .execute();
  await db.schema
    .createIndex('notification_pending')
    .on('notification')
    .columns(['delivered_at', 'created_at'])
    .execute();
  await db.schema
    .createIndex('notification_recipient')
    .on('notification')
    .columns(['recipient', 'created_at'])
    .execute();
}

export const emergency: StoreMigration = { name: '0007-emergency', up };
