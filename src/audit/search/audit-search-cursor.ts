// The opaque paging cursor of AuditEvent searches: the last ledger position seen, sealed by the payload vault.
import { sealedCursors, type PayloadVault, type SealedCursors } from '../../crypto/index.js';
import type { Clock } from '../../kernel/index.js';

/** Separates these cursors from Task cursors and every other record the vault seals. */
const CURSOR_AAD = 'enlace:audit-search-cursor:v1';

/** The seq of the last event on the page: the keyset the next page starts past. */
export const auditCursors = (vault: PayloadVault, clock: Clock): SealedCursors<{ seq: number }> =>
  sealedCursors<{ seq: number }>(
    vault,
    CURSOR_AAD,
    ({ seq }) =>
      typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1 ? { seq } : undefined,
    { clock },
  );
