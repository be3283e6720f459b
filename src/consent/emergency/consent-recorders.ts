// The institutions to tell about a break-the-glass grant: those holding an active consent of the survivor.
import type { ConsentRecorders } from './emergency-deps.js';

/**
 * Partner ids recording an active consent under any of the pseudonyms. Revoked consents are left
 * out: when she withdrew it, that institution is no longer entitled to hear about her case.
 */
export const activeConsentRecorders: ConsentRecorders = async (db, pseudonyms) => {
  if (pseudonyms.length === 0) return [];
  const rows = await db
    .selectFrom('consent')
    .select('recorder')
    .distinct()
    .where('pseudonym', 'in', [...pseudonyms])
    .where('status', '=', 'active')
    .orderBy('recorder')
    .execute();
  return rows.map((row) => row.recorder);
};
