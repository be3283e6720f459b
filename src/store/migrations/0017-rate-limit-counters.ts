// Migration 0017: the rate-limit counters shared by every instance on PostgreSQL, in an UNLOGGED table.
import { sql } from 'kysely';
import type { StoreMigration } from './store-migration.js';

export const rateLimitCounters: StoreMigration = {
  name: '0017-rate-limit-counters',
  async up(db, dialect) {
    // Why SQLite gets nothing: its counters live in a file of their own beside the database
    // (src/protection/sqlite-counter-file.ts), kept out of the database's fsync and write lock.
    if (dialect !== 'postgres') return;
    // Why UNLOGGED: a counter needs no durability, and an unlogged table writes no WAL, so the
    // one upsert per request costs no flush at commit. A crash empties it: every caller starts
    // a fresh window, which is harmless. One row per caller; old windows are deleted as they pass.
    await sql`
      create unlogged table rate_limit_counter (
        key text primary key,
        window_start bigint not null,
        hits bigint not null,
        previous_hits bigint not null
      )`.execute(db);
  },
};
