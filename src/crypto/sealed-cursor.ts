// Opaque paging cursors: a search position sealed by the payload vault, bound to its owner and its search.
import { GatewayError } from '../kernel/index.js';
import type { PayloadVault } from './payload-vault.js';

const MAX_CURSOR_LENGTH = 2048;

export interface SealedCursors<P> {
  seal(owner: string, search: string, position: P): Promise<string>;
  /** The position, or ENLACE_SEARCH_CURSOR_INVALID for a cursor altered, foreign or of another search. */
  open(owner: string, search: string, cursor: string): Promise<P>;
}

/**
 * Why sealed rather than signed: the position stays unreadable, every instance sharing the vault's
 * keys accepts it, and any change to it fails to open. `aad` separates one kind of cursor from
 * every other record the vault seals; `readPosition` refuses a position of the wrong shape.
 */
export function sealedCursors<P extends object>(
  vault: PayloadVault,
  aad: string,
  readPosition: (content: Readonly<Record<string, unknown>>) => P | undefined,
): SealedCursors<P> {
  return {
    async seal(owner, search, position) {
      return (await vault.seal(JSON.stringify({ ...position, owner, search }), aad)).blob;
    },
    async open(owner, search, cursor) {
      let content: Record<string, unknown>;
      try {
        if (cursor.length > MAX_CURSOR_LENGTH) throw new Error('cursor too long');
        content = JSON.parse(new TextDecoder().decode(await vault.open(cursor, aad))) as Record<
          string,
          unknown
        >;
      } catch (cause) {
        throw refused(cause);
      }
      // Why: a cursor handed to another caller, or replayed with other filters, continues nothing.
      const position =
        content.owner === owner && content.search === search ? readPosition(content) : undefined;
      if (position === undefined) throw refused(undefined);
      return position;
    },
  };
}

const refused = (cause: unknown): GatewayError =>
  new GatewayError(
    'ENLACE_SEARCH_CURSOR_INVALID',
    '_cursor is not a cursor this server issued for this search; start the search again.',
    { expression: ['_cursor'], ...(cause === undefined ? {} : { cause }) },
  );
