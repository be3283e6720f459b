// Bounds on what a note may hold, so that reading hostile input stays cheap and predictable.

/**
 * Signature lines in one note. Why 100: C2SP signed-note §Format requires accepting at least 16,
 * and Go's golang.org/x/mod/sumdb/note (the reference) refuses more than 100; we match it, so any
 * note Go opens we can open and a flood of lines costs us no more than it costs Go.
 */
export const MAX_NOTE_SIGNATURES = 100;

/**
 * A whole note, text and signatures, in UTF-8 bytes. Why 1 MiB: checkpoints are a few hundred
 * bytes; even 100 ML-DSA-44 cosignatures (≈3.3 kB of base64 each) fit with room to spare, and no
 * caller needs to scan or hash more than this for one note.
 */
export const MAX_NOTE_BYTES = 1024 * 1024;

/**
 * A key name or checkpoint origin, in UTF-8 bytes. Why 255: C2SP tlog-cosignature's ML-DSA-44
 * message encodes both as opaque<1..2^8-1>, so a longer one could never be cosigned that way.
 */
export const MAX_KEY_NAME_BYTES = 255;

/**
 * The bytes after the 4-byte key ID in one signature line. Why 8 KiB: signed-note §Format warns
 * that post-quantum signatures reach nearly 5 kB; anything longer is not a signature we must carry.
 */
export const MAX_SIGNATURE_BYTES = 8 * 1024;
