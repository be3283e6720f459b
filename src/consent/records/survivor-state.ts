// The per-survivor consent epoch row: checks hold it shared, revocations bump it, so the two serialise.
import type { Kysely } from 'kysely';
import type { Dialect } from '../../store/index.js';
import type { Database } from '../../store/index.js';

/** Makes sure the survivor has a state row, so later checks have a row to lock. */
export async function ensureSurvivorState(db: Kysely<Database>, pseudonym: string): Promise<void> {
  await db
    .insertInto('survivor_consent_state')
    .values({ pseudonym, epoch: 0 })
    .onConflict((conflict) => conflict.column('pseudonym').doNothing())
    .execute();
}

/**
 * Takes the survivor's state rows shared until the transaction ends and returns the highest epoch.
 * On PostgreSQL `FOR SHARE` makes a concurrent revocation (which updates the row) wait for this
 * check to commit, or makes this check wait for the revocation and then read its result; SQLite
 * needs no row lock because BEGIN IMMEDIATE already runs write transactions one at a time.
 */
export async function lockSurvivorState(
  db: Kysely<Database>,
  dialect: Dialect,
  pseudonyms: readonly string[],
): Promise<number> {
  if (pseudonyms.length === 0) return 0;
  const query = db
    .selectFrom('survivor_consent_state')
    .select('epoch')
    .where('pseudonym', 'in', [...pseudonyms])
    .orderBy('pseudonym');
  const rows = await (dialect === 'postgres' ? query.forShare() : query).execute();
  return rows.reduce((highest, row) => Math.max(highest, row.epoch), 0);
}

/** Bumps the survivor's epoch, taking her state row exclusively until the transaction ends. */
export async function bumpConsentEpoch(db: Kysely<Database>, pseudonym: string): Promise<number> {
  const row = await db
    .insertInto('survivor_consent_state')
    .values({ pseudonym, epoch: 1 })
    .onConflict((conflict) =>
      conflict
        .column('pseudonym')
        .doUpdateSet((eb) => ({ epoch: eb('survivor_consent_state.epoch', '+', 1) })),
    )
    .returning('epoch')
    .executeTakeFirstOrThrow();
  return row.epoch;
}
