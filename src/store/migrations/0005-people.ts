// Migration 0005: the people who sign in to run or audit the gateway (operators, auditors).
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { StoreMigration } from './store-migration.js';

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('person')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('username', 'text', (column) => column.notNull().unique())
    .addColumn('role', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('password_hash', 'text', (column) => column.notNull())
    .addColumn('totp_secret', 'text', (column) => column.notNull())
    // A TOTP time step (seconds / 30) stays far below 2^31 for millennia.
    .addColumn('last_totp_step', 'integer')
    .addColumn('failed_attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('locked_until', 'bigint')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addCheckConstraint('person_role', sql`role in ('operator', 'auditor')`)
    .addCheckConstraint('person_status', sql`status in ('enabled', 'disabled')`)
    .addCheckConstraint('person_failed_attempts', sql`failed_attempts >= 0`)
    .execute();
}

export const people: StoreMigration = { name: '0005-people', up };
