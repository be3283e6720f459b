// The opaque paging cursor of Task searches: the last Task's update time and referral id, sealed by the payload vault.
import {
  readKeysetPosition,
  sealedCursors,
  type KeysetPosition,
  type PayloadVault,
  type SealedCursors,
} from '../../crypto/index.js';
import type { Clock } from '../../kernel/index.js';

/** Separates Task cursors from every other route's and every other record the vault seals. */
const CURSOR_AAD = 'enlace:task-search-cursor:v1';

/** The position (`key` the update time, `id` the referral) stays unreadable to the partner holding it. */
export const taskCursors = (vault: PayloadVault, clock: Clock): SealedCursors<KeysetPosition> =>
  sealedCursors(vault, CURSOR_AAD, readKeysetPosition, { clock });
