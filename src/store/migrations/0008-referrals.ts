// Migration 0008: partners' encryption keys, referrals (sealed signed messages with their Task) and the delivery outbox.
import type { Kysely } from 'kysely';
import type { StoreMigration } from './store-migration.js';

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('partner_encryption_key')
    .addColumn('partner_id', 'text', (column) => column.notNull().references('partner.id'))
    .addColumn('kid', 'text', (column) => column.notNull())
    .addColumn('jwk', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('partner_encryption_key_pk', ['partner_id', 'kid'])
    .execute();

  await db.schema
    .createTable('referral')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('message_key', 'text', (column) => column.notNull().unique())
    .addColumn('content_hash', 'text', (column) => column.notNull())
    .addColumn('sender', 'text', (column) => column.notNull().references('partner.id'))
    .addColumn('recipient', 'text', (column) => column.notNull().references('partner.id'))
    .addColumn('pseudonym', 'text', (column) => column.notNull())
    .addColumn('event', 'text', (column) => column.notNull())
    .addColumn('purpose', 'text', (column) => column.notNull())
    .addColumn('data_classes', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('task', 'text', (column) => column.notNull())
    .addColumn('task_version', 'integer', (column) => column.notNull())
    .addColumn('payload_key_id', 'text', (column) => column.notNull())
    .addColumn('payload', 'text', (column) => column.notNull())
    .addColumn('acknowledgement', 'text', (column) => column.notNull())
    .addColumn('recipient_acknowledgement', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  for (const [name, columns] of [
    ['referral_recipient', ['recipient', 'status', 'updated_at']],
    ['referral_sender', ['sender', 'status', 'updated_at']],
    ['referral_pseudonym', ['pseudonym']],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('referral')
      .columns([...columns])
      .execute();
  }

  await db.schema
    .createTable('delivery')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('idempotency_key', 'text', (column) => column.notNull().unique())
    .addColumn('recipient', 'text', (column) => column.notNull().references('partner.id'))
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('referral_id', 'text', (column) => column.references('referral.id'))
    .addColumn('payload', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .addColumn('next_attempt_at', 'bigint', (column) => column.notNull())
    .addColumn('lease_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('delivered_at', 'text')
    .execute();
  await db.schema
    .createIndex('delivery_due')
    .on('delivery')
    .columns(['status', 'next_attempt_at'])
    .execute();
}

export const referrals: StoreMigration = { name: '0008-referrals', up };
