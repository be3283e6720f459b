// The expiring key-value store over kysely, shared by both engines; used for replay caches.
import type { Kysely } from 'kysely';
import type { ExpiringStore } from '../ports.js';
import type { Database } from '../schema.js';
import { StoreError } from '../store-error.js';

function toMillis(date: Date, name: string): number {
  const millis = date.getTime();
  if (!Number.isFinite(millis)) {
    throw new StoreError('ENLACE_STORE_INVALID_ARGUMENT', `${name} must be a valid date`);
  }
  return millis;
}

export function createExpiringStore(db: Kysely<Database>): ExpiringStore {
  return {
    async putIfAbsent(key, value, expiresAt, now) {
      const nowMs = toMillis(now, 'now');
      const expiresMs = toMillis(expiresAt, 'expiresAt');
      // Why: an entry already dead on arrival could be stored by every concurrent caller, which
      // would break the "exactly one caller wins" promise replay protection relies on.
      if (expiresMs <= nowMs) {
        throw new StoreError('ENLACE_STORE_INVALID_ARGUMENT', 'expiresAt must be later than now');
      }
      // Why: one statement decides atomically in the database, not in this process: a live row
      // blocks the write (0 rows affected), an expired one is taken over, so across every instance
      // exactly one concurrent caller sees a row written.
      const result = await db
        .insertInto('kv_entry')
        .values({ key, value, expires_at: expiresMs })
        .onConflict((conflict) =>
          conflict
            .column('key')
            .doUpdateSet((eb) => ({
              value: eb.ref('excluded.value'),
              expires_at: eb.ref('excluded.expires_at'),
            }))
            .where('kv_entry.expires_at', '<=', nowMs),
        )
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },

    async get(key, now) {
      const row = await db
        .selectFrom('kv_entry')
        .select('value')
        .where('key', '=', key)
        .where('expires_at', '>', toMillis(now, 'now'))
        .executeTakeFirst();
      return row?.value;
    },

    async purgeExpired(now) {
      const result = await db
        .deleteFrom('kv_entry')
        .where('expires_at', '<=', toMillis(now, 'now'))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
