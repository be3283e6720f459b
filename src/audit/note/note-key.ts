// The two halves of a note key: a verifier anyone may hold, and a signer its owner keeps secret.
import type { KeyObject } from 'node:crypto';
import type { SignatureType } from './signature-type.js';

/** A parsed vkey: signature lines naming this `name` and `keyHash` are checked with `publicKey`. */
export interface NoteVerifier {
  readonly name: string;
  /** The 32-bit key ID, as an unsigned integer. */
  readonly keyHash: number;
  readonly type: SignatureType;
  readonly publicKey: KeyObject;
}

/** A parsed skey. It is also a NoteVerifier for its own signatures. */
export interface NoteSigner extends NoteVerifier {
  readonly privateKey: KeyObject;
  /** The vkey to hand to verifiers. */
  readonly verifierKey: string;
}

/** A freshly generated key, as the two strings to store (`signerKey`) and to publish (`verifierKey`). */
export interface NoteKeyPair {
  readonly signerKey: string;
  readonly verifierKey: string;
}
