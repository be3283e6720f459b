// The opaque paging cursor of AuditEvent searches: the last ledger position seen, sealed by the payload vault.
import { sealedCursors, type PayloadVault } from '../../crypto/index.js';

/** Separates these cursors from Task cursors and every other record the vault seals. */
const CURSOR_AAD = 'enlace:audit-search-cursor:v1';

/** The seq of the last event on the page: the keyset the next page starts past. */
const cursors = (vault: PayloadVault) =>
  sealedCursors<{ seq: number }>(vault, CURSOR_AAD, ({ seq }) =>
    typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1 ? { seq } : undefined,
  );

/** `caller` is the auditor's account id: a cursor continues only its own owner's search. */
export const encodeAuditCursor = (
  vault: PayloadVault,
  caller: string,
  search: string,
  seq: number,
): Promise<string> => cursors(vault).seal(caller, search, { seq });

export const decodeAuditCursor = async (
  vault: PayloadVault,
  caller: string,
  search: string,
  cursor: string,
): Promise<number> => (await cursors(vault).open(caller, search, cursor)).seq;
