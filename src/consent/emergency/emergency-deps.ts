// What break-the-glass needs from outside: storage, time, the policy, pseudonyms and consent recorders.
import type { Kysely } from 'kysely';
import type { Clock } from '../../kernel/index.js';
import type { EmergencyPolicy } from '../../partners/index.js';
import type { Database, Store } from '../../store/index.js';
import type { Pseudonymizer } from '../types.js';

/**
 * Partner ids of the institutions that recorded a consent for any of these pseudonyms. Runs on the
 * transaction's `db`, so the notices and the grant see the same consents.
 */
export type ConsentRecorders = (
  db: Kysely<Database>,
  pseudonyms: readonly string[],
) => Promise<readonly string[]>;

export interface EmergencyDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly policy: EmergencyPolicy;
  readonly pseudonymizer: Pseudonymizer;
  readonly consentRecorders: ConsentRecorders;
}
