// Migration 0015: person sessions that can be ended (sign-out, operator revocation), and failed sign-ins counted for unknown names too.
import type { StoreMigration } from './store-migration.js';

export const personSessions: StoreMigration = {
  name: '0015-person-sessions',
  async up(db) {
    // One row per session token (its jti); a token without a live row is refused on every route.
    await db.schema
      .createTable('person_session')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('person_id', 'text', (column) =>
        column.notNull().references('person.id').onDelete('cascade'),
      )
      .addColumn('issued_at', 'text', (column) => column.notNull())
      // Epoch milliseconds, as person.locked_until.
      .addColumn('expires_at', 'bigint', (column) => column.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema
      .createIndex('person_session_person')
      .on('person_session')
      .columns(['person_id', 'expires_at'])
      .execute();
    // Why a table of names that are no account: they are counted and locked exactly as accounts
    // are, so a lockout (or its absence) never tells whether a name exists. Keyed by a SHA-256 of
    // the name, so a password typed into the name field is not kept in the clear.
    await db.schema
      .createTable('sign_in_name')
      .addColumn('name_hash', 'text', (column) => column.primaryKey())
      .addColumn('failed_attempts', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('locked_until', 'bigint')
      .addColumn('last_failed_at', 'bigint', (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('sign_in_name_last_failed')
      .on('sign_in_name')
      .column('last_failed_at')
      .execute();
    // When the account's last failed step was: failures older than a day stop counting, for
    // accounts as for unknown names (whose rows are then deleted).
    await db.schema.alterTable('person').addColumn('last_failed_at', 'bigint').execute();
  },
};
