// The consents a decision reads: as they stand now, or as they stood at a past instant (from the versions).
import type { Kysely } from 'kysely';
import type { PayloadVault } from '../../crypto/index.js';
import type { Database } from '../../store/index.js';
import type { StoredConsent } from '../types.js';
import { findConsentsOf, findVersionsAsOf } from './consent-repository.js';

/**
 * Every consent of the survivor under any of her pseudonyms, active and revoked: the engine lets a
 * revoked consent keep its restrictions while withdrawing its permissions, so both must reach it.
 */
export async function loadCurrentConsents(
  db: Kysely<Database>,
  vault: Pick<PayloadVault, 'open'>,
  survivor: readonly string[],
): Promise<StoredConsent[]> {
  const records = await findConsentsOf(db, vault, survivor);
  return records.map(({ id, version, resource }) => ({ id, version, resource }));
}

/**
 * The survivor's consents as they stood at `asOf`, each at the version then current: what a
 * decision made at that instant relied on, reconstructed after later revocations.
 */
export async function loadConsentsAsOf(
  db: Kysely<Database>,
  vault: Pick<PayloadVault, 'open'>,
  survivor: readonly string[],
  asOf: Date,
): Promise<StoredConsent[]> {
  const versions = await findVersionsAsOf(db, vault, survivor, asOf);
  return versions.map(({ id, version, resource }) => ({ id, version, resource }));
}
