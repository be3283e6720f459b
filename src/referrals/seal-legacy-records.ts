// Seals, once at start, the Tasks and recipients' acknowledgements an earlier version stored in the clear.
import type { PayloadVault } from '../crypto/index.js';
import type { Store } from '../store/index.js';
import { acknowledgementContext, taskContext } from './referral-repository.js';

const BATCH = 100;
/** Written in the clear, a value is its JSON object; sealed, it is a compact JWE (`eyJ…`). */
const CLEAR = '{%';

/**
 * Runs `batch` until a pass seals nothing: each row is rewritten only if it still holds the text
 * that was read, so instances doing this at once never seal a row twice (nor lose a change).
 */
async function untilDone(batch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const sealed = await batch();
    total += sealed;
    if (sealed === 0) return total;
  }
}

/**
 * Why at start and not on read: a read that accepted JSON would let anyone who can write to the
 * database slip in a Task of their own; after this, every read opens a sealed record or fails.
 * Returns how many values were sealed (0 once a database has been through it).
 */
export async function sealLegacyReferralRecords(
  store: Pick<Store, 'db'>,
  vault: Pick<PayloadVault, 'seal'>,
): Promise<number> {
  const { db } = store;
  const seal = async (text: string, aad: string): Promise<string> =>
    (await vault.seal(text, aad)).blob;
  const tasks = await untilDone(async () => {
    const rows = await db
      .selectFrom('referral')
      .select(['id', 'task', 'task_version'])
      .where('task', 'like', CLEAR)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    let sealed = 0;
    for (const row of rows) {
      const result = await db
        .updateTable('referral')
        .set({ task: await seal(row.task, taskContext(row.id, row.task_version)) })
        .where('id', '=', row.id)
        .where('task', '=', row.task)
        .where('task_version', '=', row.task_version)
        .executeTakeFirst();
      if (result.numUpdatedRows === 1n) sealed += 1;
    }
    return sealed;
  });
  const versions = await untilDone(async () => {
    const rows = await db
      .selectFrom('task_version')
      .select(['referral_id', 'version', 'task'])
      .where('task', 'like', CLEAR)
      .orderBy('referral_id')
      .orderBy('version')
      .limit(BATCH)
      .execute();
    let sealed = 0;
    for (const row of rows) {
      const result = await db
        .updateTable('task_version')
        .set({ task: await seal(row.task, taskContext(row.referral_id, row.version)) })
        .where('referral_id', '=', row.referral_id)
        .where('version', '=', row.version)
        .where('task', '=', row.task)
        .executeTakeFirst();
      if (result.numUpdatedRows === 1n) sealed += 1;
    }
    return sealed;
  });
  const acknowledgements = await untilDone(async () => {
    const rows = await db
      .selectFrom('referral')
      .select(['id', 'recipient_acknowledgement'])
      .where('recipient_acknowledgement', 'like', CLEAR)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    let sealed = 0;
    for (const { id, recipient_acknowledgement: text } of rows) {
      if (text === null) continue;
      const result = await db
        .updateTable('referral')
        .set({ recipient_acknowledgement: await seal(text, acknowledgementContext(id)) })
        .where('id', '=', id)
        .where('recipient_acknowledgement', '=', text)
        .executeTakeFirst();
      if (result.numUpdatedRows === 1n) sealed += 1;
    }
    return sealed;
  });
  return tasks + versions + acknowledgements;
}
