// Migration 0012: deliveries numbered per referral and recipient (pushed in that order), and the notice inbox's index.
import { sql } from 'kysely';
import type { StoreMigration } from './store-migration.js';

export const deliveryOrder: StoreMigration = {
  name: '0012-delivery-order',
  async up(db) {
    await db.schema.alterTable('delivery').addColumn('referral_seq', 'integer').execute();
    // Rows queued before this migration are numbered in the order they were queued.
    await sql`
      UPDATE delivery SET referral_seq = (
        SELECT numbered.n FROM (
          SELECT id, ROW_NUMBER() OVER (
            PARTITION BY referral_id, recipient ORDER BY created_at, id
          ) AS n
          FROM delivery WHERE referral_id IS NOT NULL
        ) AS numbered
        WHERE numbered.id = delivery.id
      )
      WHERE referral_id IS NOT NULL
    `.execute(db);
    // Why unique: two transactions that both numbered a delivery n for the same referral and
    // recipient cannot both commit, so the order a recipient sees is never ambiguous.
    await db.schema
      .createIndex('delivery_referral_order')
      .on('delivery')
      .columns(['referral_id', 'recipient', 'referral_seq'])
      .unique()
      .execute();
    await db.schema
      .createIndex('delivery_inbox')
      .on('delivery')
      .columns(['recipient', 'status', 'created_at', 'id'])
      .execute();
  },
};
