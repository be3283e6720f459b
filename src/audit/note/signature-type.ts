// The signature type bytes of C2SP signed-note §Signature types that this module implements.

/** `0x01`: Ed25519 over the note text (signed-note §Ed25519 signatures). */
export const SIGNATURE_TYPE_ED25519 = 0x01;

/** `0x04`: timestamped Ed25519 checkpoint cosignatures (C2SP tlog-cosignature). */
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;

export type SignatureType = typeof SIGNATURE_TYPE_ED25519 | typeof SIGNATURE_TYPE_COSIGNATURE_V1;

export const isSupportedSignatureType = (byte: number): byte is SignatureType =>
  byte === SIGNATURE_TYPE_ED25519 || byte === SIGNATURE_TYPE_COSIGNATURE_V1;

/** Both supported types use 32-byte RFC 8032 Ed25519 public keys and seeds. */
export const ED25519_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
