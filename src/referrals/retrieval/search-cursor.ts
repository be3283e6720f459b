// The opaque paging cursor of Task searches: a position sealed (encrypted and authenticated) by the payload vault.
import type { PayloadVault } from '../../crypto/index.js';
import { GatewayError } from '../../kernel/index.js';

export interface CursorPosition {
  readonly updatedAt: string;
  readonly id: string;
}

interface CursorContent extends CursorPosition {
  readonly partner: string;
  readonly search: string;
}

/** Separates cursors from every other record the vault seals. */
const CURSOR_AAD = 'enlace:task-search-cursor:v1';
const MAX_CURSOR_LENGTH = 2048;

/**
 * Why sealed rather than signed: the position (an update time and a referral id) stays unreadable,
 * every instance sharing the vault's keys accepts it, and any change to it fails to open.
 */
export async function encodeCursor(
  vault: PayloadVault,
  partner: string,
  search: string,
  position: CursorPosition,
): Promise<string> {
  const content: CursorContent = { partner, search, ...position };
  return (await vault.seal(JSON.stringify(content), CURSOR_AAD)).blob;
}

/** The position, or ENLACE_SEARCH_CURSOR_INVALID for a cursor altered, foreign to this caller or to this search. */
export async function decodeCursor(
  vault: PayloadVault,
  partner: string,
  search: string,
  cursor: string,
): Promise<CursorPosition> {
  let content: Partial<CursorContent>;
  try {
    if (cursor.length > MAX_CURSOR_LENGTH) throw new Error('too long');
    content = JSON.parse(
      new TextDecoder().decode(await vault.open(cursor, CURSOR_AAD)),
    ) as Partial<CursorContent>;
  } catch (cause) {
    throw refused(cause);
  }
  // Why: a cursor handed to another partner, or replayed with other filters, continues nothing.
  if (
    content.partner !== partner ||
    content.search !== search ||
    typeof content.updatedAt !== 'string' ||
    typeof content.id !== 'string'
  ) {
    throw refused(undefined);
  }
  return { updatedAt: content.updatedAt, id: content.id };
}

const refused = (cause: unknown): GatewayError =>
  new GatewayError(
    'ENLACE_SEARCH_CURSOR_INVALID',
    '_cursor is not a cursor this server issued for this search; start the search again.',
    { expression: ['_cursor'], ...(cause === undefined ? {} : { cause }) },
  );
