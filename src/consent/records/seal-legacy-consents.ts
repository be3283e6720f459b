// Seals, once at start, the consent versions an earlier version stored in the clear.
import type { PayloadVault } from '../../crypto/index.js';
import type { Store } from '../../store/index.js';
import { consentContext } from './consent-repository.js';

const BATCH = 100;
/** Written in the clear, a resource is its JSON object; sealed, it is a compact JWE (`eyJ…`). */
const CLEAR = '{%';

/**
 * Why at start and not on read: a read that accepted JSON would let anyone who can write to the
 * database slip in a consent of their own. Each row is rewritten only if it still holds the text
 * that was read, so instances doing this at once never seal one twice. Returns how many it sealed.
 */
export async function sealLegacyConsents(
  store: Pick<Store, 'db'>,
  vault: Pick<PayloadVault, 'seal'>,
): Promise<number> {
  let total = 0;
  for (const table of ['consent', 'consent_version'] as const) {
    total += await sealTable(store, vault, table);
  }
  return total;
}

/** Seals one table's clear rows in batches; a row changed meanwhile is left to the next batch. */
async function sealTable(
  { db }: Pick<Store, 'db'>,
  vault: Pick<PayloadVault, 'seal'>,
  table: 'consent' | 'consent_version',
): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await db
      .selectFrom(table)
      .select(['id', 'version', 'resource'])
      .where('resource', 'like', CLEAR)
      .orderBy('id')
      .orderBy('version')
      .limit(BATCH)
      .execute();
    let sealed = 0;
    for (const row of rows) {
      const { blob } = await vault.seal(row.resource, consentContext(row.id, row.version));
      const result = await db
        .updateTable(table)
        .set({ resource: blob })
        .where('id', '=', row.id)
        .where('version', '=', row.version)
        .where('resource', '=', row.resource)
        .executeTakeFirst();
      if (result.numUpdatedRows === 1n) sealed += 1;
    }
    total += sealed;
    if (sealed === 0) return total;
  }
}
