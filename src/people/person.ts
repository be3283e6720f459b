// An operator or auditor account as the people capability sees it, decoded from its stored row.
import type { PersonRole } from '../kernel/index.js';
import type { Database } from '../store/index.js';

export type PersonStatus = 'enabled' | 'disabled';

export interface PersonAccount {
  readonly id: string;
  readonly username: string;
  readonly role: PersonRole;
  readonly status: PersonStatus;
  readonly passwordHash: string;
  readonly sealedTotpSecret: string;
  readonly lastTotpStep: number | null;
  readonly failedAttempts: number;
  /** Epoch milliseconds; the account refuses sign-in while this is later than now. */
  readonly lockedUntil: number | null;
}

export function toPersonAccount(row: Database['person']): PersonAccount {
  return {
    id: row.id,
    username: row.username,
    // The migration's check constraints keep role and status within these values.
    role: row.role as PersonRole,
    status: row.status as PersonStatus,
    passwordHash: row.password_hash,
    sealedTotpSecret: row.totp_secret,
    lastTotpStep: row.last_totp_step,
    failedAttempts: row.failed_attempts,
    lockedUntil: row.locked_until,
  };
}
