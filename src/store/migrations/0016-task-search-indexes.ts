// Migration 0016: indexes that serve each Task search's filter and order, so a page reads its rows and no more.
import type { StoreMigration } from './store-migration.js';

export const taskSearchIndexes: StoreMigration = {
  name: '0016-task-search-indexes',
  async up(db) {
    // Why (party, updated_at, id): GET /fhir/Task filters by recipient or sender and pages by
    // (updated_at, id) in either direction. The 0008 indexes put status between party and time, so
    // every search sorted all of the institution's referrals to return 20 of them.
    for (const [name, party] of [
      ['referral_recipient_updated', 'recipient'],
      ['referral_sender_updated', 'sender'],
    ] as const) {
      await db.schema
        .createIndex(name)
        .on('referral')
        .columns([party, 'updated_at', 'id'])
        .execute();
    }
  },
};
