// Typed refusals of the signed-note, checkpoint and cosignature formats, each with a stable code.

/** Stable codes: callers may rely on them, so never rename one; add new ones instead. */
export type NoteErrorCode =
  | 'ERR_NOTE_KEY_MALFORMED'
  | 'ERR_NOTE_KEY_UNSUPPORTED'
  | 'ERR_NOTE_KEY_AMBIGUOUS'
  | 'ERR_NOTE_KEY_WRONG_TYPE'
  | 'ERR_NOTE_MALFORMED'
  | 'ERR_NOTE_VERIFICATION_FAILED'
  | 'ERR_CHECKPOINT_MALFORMED'
  | 'ERR_COSIGNATURE_TIMESTAMP_INVALID';

/**
 * One fixed text per code. Why fixed: a message built from the input could echo a private key or
 * tell a prober which check failed; the detail, if any, stays in `cause`.
 */
export const NOTE_ERROR_MESSAGES: Readonly<Record<NoteErrorCode, string>> = {
  ERR_NOTE_KEY_MALFORMED: 'malformed note key',
  ERR_NOTE_KEY_UNSUPPORTED: 'unsupported note key type',
  ERR_NOTE_KEY_AMBIGUOUS: 'two note keys share a name and key ID',
  ERR_NOTE_KEY_WRONG_TYPE: 'note key of the wrong signature type for this use',
  ERR_NOTE_MALFORMED: 'malformed note',
  ERR_NOTE_VERIFICATION_FAILED: 'signature verification failed',
  ERR_CHECKPOINT_MALFORMED: 'malformed checkpoint',
  ERR_COSIGNATURE_TIMESTAMP_INVALID: 'invalid cosignature timestamp',
};

export class NoteError extends Error {
  override readonly name = 'NoteError';
  readonly code: NoteErrorCode;

  constructor(code: NoteErrorCode, options?: { readonly cause?: unknown }) {
    super(NOTE_ERROR_MESSAGES[code], options);
    this.code = code;
  }
}

export const isNoteError = (err: unknown): err is NoteError => err instanceof NoteError;
