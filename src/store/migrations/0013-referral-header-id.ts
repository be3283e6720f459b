// Migration 0013: each referral remembers its request's MessageHeader.id, which a recipient's acknowledgement answers.
import type { StoreMigration } from './store-migration.js';

export const referralHeaderId: StoreMigration = {
  name: '0013-referral-header-id',
  async up(db) {
    // Nullable: referrals accepted before this migration did not keep it, and cannot be acknowledged.
    await db.schema.alterTable('referral').addColumn('message_header_id', 'text').execute();
    await db.schema
      .createIndex('referral_recipient_header')
      .on('referral')
      .columns(['recipient', 'message_header_id'])
      .execute();
  },
};
