// Public face of audit/note: C2SP signed notes, tlog checkpoints and Ed25519 cosignatures, as pure functions.
export { NoteError, NOTE_ERROR_MESSAGES, isNoteError } from './note-error.js';
export type { NoteErrorCode } from './note-error.js';
export {
  MAX_KEY_NAME_BYTES,
  MAX_NOTE_BYTES,
  MAX_NOTE_SIGNATURES,
  MAX_SIGNATURE_BYTES,
} from './note-limits.js';
export {
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  type SignatureType,
} from './signature-type.js';
export { computeKeyHash, formatKeyHash } from './key-hash.js';
export { isValidKeyName } from './key-name.js';
export type { NoteKeyPair, NoteSigner, NoteVerifier } from './note-key.js';
export { formatVerifierKey, parseVerifierKey } from './verifier-key.js';
export { parseSignerKey } from './signer-key.js';
export { generateCosignerKey, generateNoteKey } from './generate-note-key.js';
export { parseSignatureLine } from './signature-line.js';
export type { NoteSignature } from './signature-line.js';
export { signNote } from './sign-note.js';
export { openNote } from './open-note.js';
export type { OpenedNote } from './open-note.js';
export { formatCheckpoint, parseCheckpoint, ROOT_HASH_BYTES } from './checkpoint.js';
export type { Checkpoint, CheckpointInput } from './checkpoint.js';
export { cosignatureMessage } from './timestamped-signature.js';
export { cosign } from './cosign.js';
export { verifyCosignature } from './verify-cosignature.js';
export type { VerifiedCosignature } from './verify-cosignature.js';
