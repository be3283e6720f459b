// What a consent check needs besides the caller's transaction: the engine, grants, default and clock.
import type { PayloadVault } from '../../crypto/index.js';
import type { Clock } from '../../kernel/index.js';
import type { Dialect } from '../../store/index.js';
import type { DecideFunction, DefaultDecision, EmergencyGrantLookup } from '../types.js';

export interface GateDeps {
  readonly decide: DecideFunction;
  readonly emergencyGrants: EmergencyGrantLookup;
  readonly defaultDecision: DefaultDecision;
  /** Opens her consents, which are sealed at rest. */
  readonly vault: Pick<PayloadVault, 'open'>;
  /** Which engine the transaction runs on: PostgreSQL needs the row lock, SQLite does not. */
  readonly dialect: Dialect;
  readonly clock: Clock;
}
