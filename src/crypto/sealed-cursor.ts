// Opaque paging cursors: a search position sealed by the payload vault, bound to its kind, owner and search, and short-lived.
import { GatewayError, type Clock } from '../kernel/index.js';
import type { PayloadVault } from './payload-vault.js';

const MAX_CURSOR_LENGTH = 2048;

/** How long a cursor continues its search; after that the search is started again. */
export const SEARCH_CURSOR_LIFETIME_MINUTES = 60;

export interface SealedCursors<P> {
  seal(owner: string, search: string, position: P): Promise<string>;
  /**
   * The position, or ENLACE_SEARCH_CURSOR_INVALID for a cursor altered, of another kind (route),
   * another owner or another search, or older than its lifetime.
   */
  open(owner: string, search: string, cursor: string): Promise<P>;
}

/** The position most searches page by: the sort value of the last row seen and its id (the tie-break). */
export interface KeysetPosition {
  readonly key: string;
  readonly id: string;
}

export const readKeysetPosition = ({
  key,
  id,
}: Readonly<Record<string, unknown>>): KeysetPosition | undefined =>
  typeof key === 'string' && typeof id === 'string' ? { key, id } : undefined;

export interface SealedCursorOptions {
  readonly clock: Clock;
  readonly lifetimeMinutes?: number;
}

/**
 * Why sealed rather than signed: the position stays unreadable, every instance sharing the vault's
 * keys accepts it, and any change to it fails to open. `aad` names the kind of cursor (one per
 * search route), so a cursor of one route opens on no other and on no other record the vault
 * seals; `readPosition` refuses a position of the wrong shape.
 */
export function sealedCursors<P extends object>(
  vault: Pick<PayloadVault, 'seal' | 'open'>,
  aad: string,
  readPosition: (content: Readonly<Record<string, unknown>>) => P | undefined,
  { clock, lifetimeMinutes = SEARCH_CURSOR_LIFETIME_MINUTES }: SealedCursorOptions,
): SealedCursors<P> {
  return {
    async seal(owner, search, position) {
      const issued = clock().getTime();
      return (await vault.seal(JSON.stringify({ ...position, owner, search, issued }), aad)).blob;
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
        throw refused(NOT_ISSUED, cause);
      }
      // Why: a cursor handed to another caller, or replayed with other filters, continues nothing.
      const position =
        content.owner === owner && content.search === search ? readPosition(content) : undefined;
      if (position === undefined || typeof content.issued !== 'number') throw refused(NOT_ISSUED);
      // Why a lifetime: a cursor copied into a log or a forgotten tab stops working, and the
      // positions a gateway must honour stay those of searches still being read.
      if (clock().getTime() - content.issued > lifetimeMinutes * 60_000) {
        throw refused(
          `_cursor has expired (a cursor lasts ${lifetimeMinutes} minutes); start the search again.`,
        );
      }
      return position;
    },
  };
}

const NOT_ISSUED =
  '_cursor is not a cursor this server issued for this search; start the search again.';

const refused = (text: string, cause?: unknown): GatewayError =>
  new GatewayError('ENLACE_SEARCH_CURSOR_INVALID', text, {
    expression: ['_cursor'],
    ...(cause === undefined ? {} : { cause }),
  });
