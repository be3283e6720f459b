// The opaque paging cursor of AuditEvent searches: the last ledger position seen, sealed by the payload vault.
import type { PayloadVault } from '../../crypto/index.js';
import { GatewayError } from '../../kernel/index.js';

interface CursorContent {
  /** The auditor's account id: a cursor continues only its own owner's search. */
  readonly caller: string;
  readonly search: string;
  /** The seq of the last event on the page: the keyset the next page starts past. */
  readonly seq: number;
}

/** Separates these cursors from Task cursors and every other record the vault seals. */
const CURSOR_AAD = 'enlace:audit-search-cursor:v1';
const MAX_CURSOR_LENGTH = 2048;

/**
 * Why sealed: the position stays unreadable and unforgeable, every instance sharing the vault's
 * keys accepts it, and any change to it fails to open.
 */
export async function encodeAuditCursor(
  vault: PayloadVault,
  caller: string,
  search: string,
  seq: number,
): Promise<string> {
  const content: CursorContent = { caller, search, seq };
  return (await vault.seal(JSON.stringify(content), CURSOR_AAD)).blob;
}

/** The seq to continue after, or ENLACE_SEARCH_CURSOR_INVALID for a cursor altered, foreign or of another search. */
export async function decodeAuditCursor(
  vault: PayloadVault,
  caller: string,
  search: string,
  cursor: string,
): Promise<number> {
  let content: Partial<CursorContent>;
  try {
    if (cursor.length > MAX_CURSOR_LENGTH) throw new Error('cursor too long');
    content = JSON.parse(
      new TextDecoder().decode(await vault.open(cursor, CURSOR_AAD)),
    ) as Partial<CursorContent>;
  } catch (cause) {
    throw refused(cause);
  }
  // Why: a cursor handed to another auditor, or replayed with other filters, continues nothing.
  if (
    content.caller !== caller ||
    content.search !== search ||
    typeof content.seq !== 'number' ||
    !Number.isSafeInteger(content.seq) ||
    content.seq < 1
  ) {
    throw refused(undefined);
  }
  return content.seq;
}

const refused = (cause: unknown): GatewayError =>
  new GatewayError(
    'ENLACE_SEARCH_CURSOR_INVALID',
    '_cursor is not a cursor this server issued for this search; start the search again.',
    { expression: ['_cursor'], ...(cause === undefined ? {} : { cause }) },
  );
