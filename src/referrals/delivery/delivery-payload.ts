// Opens what a delivery row carries, and seals the plaintext payloads rows written before 0012 still hold.
import type { PayloadVault } from '../../crypto/index.js';
import type { Store } from '../../store/index.js';
import { deliveryPayloadAad } from '../outbox.js';

const LEGACY_BATCH = 100;

/** A payload written before payloads were sealed is its JSON itself; a sealed one is a compact JWE. */
const isLegacyPayload = (payload: string): boolean => payload.startsWith('{');

/** The payload's JSON value; ENLACE_SEALED_RECORD_UNREADABLE when the blob was moved or altered. */
export async function openDeliveryPayload(
  vault: Pick<PayloadVault, 'open'>,
  row: { readonly id: string; readonly payload: string },
): Promise<unknown> {
  if (isLegacyPayload(row.payload)) return JSON.parse(row.payload) as unknown;
  const bytes = await vault.open(row.payload, deliveryPayloadAad(row.id));
  return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
}

/**
 * Seals, in batches, every payload an earlier version wrote in the clear (delivered rows too: a
 * Task's notes must not stay readable in the file). Each row is rewritten only if it still holds
 * the text that was read, so instances doing this at once never seal a row twice. Returns the
 * number sealed.
 */
export async function sealLegacyDeliveryPayloads(
  store: Pick<Store, 'db'>,
  vault: Pick<PayloadVault, 'seal'>,
): Promise<number> {
  let sealed = 0;
  for (;;) {
    const rows = await store.db
      .selectFrom('delivery')
      .select(['id', 'payload'])
      .where('payload', 'like', '{%')
      .orderBy('id')
      .limit(LEGACY_BATCH)
      .execute();
    if (rows.length === 0) return sealed;
    let batch = 0;
    for (const row of rows) {
      const { blob } = await vault.seal(row.payload, deliveryPayloadAad(row.id));
      const result = await store.db
        .updateTable('delivery')
        .set({ payload: blob })
        .where('id', '=', row.id)
        .where('payload', '=', row.payload)
        .executeTakeFirst();
      if (result.numUpdatedRows === 1n) batch += 1;
    }
    sealed += batch;
    // Another instance sealed this batch first; what is left is its to finish.
    if (batch === 0) return sealed;
  }
}
