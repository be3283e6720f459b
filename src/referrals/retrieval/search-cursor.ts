// The opaque paging cursor of Task searches: a position sealed (encrypted and authenticated) by the payload vault.
import { sealedCursors, type PayloadVault } from '../../crypto/index.js';

export interface CursorPosition {
  readonly updatedAt: string;
  readonly id: string;
}

/** Separates cursors from every other record the vault seals. */
const CURSOR_AAD = 'enlace:task-search-cursor:v1';

/** The position (an update time and a referral id) stays unreadable to the partner holding it. */
const cursors = (vault: PayloadVault) =>
  sealedCursors<CursorPosition>(vault, CURSOR_AAD, ({ updatedAt, id }) =>
    typeof updatedAt === 'string' && typeof id === 'string' ? { updatedAt, id } : undefined,
  );

export const encodeCursor = (
  vault: PayloadVault,
  partner: string,
  search: string,
  position: CursorPosition,
): Promise<string> => cursors(vault).seal(partner, search, position);

/** The position, or ENLACE_SEARCH_CURSOR_INVALID for a cursor altered, foreign to this caller or to this search. */
export const decodeCursor = (
  vault: PayloadVault,
  partner: string,
  search: string,
  cursor: string,
): Promise<CursorPosition> => cursors(vault).open(partner, search, cursor);
