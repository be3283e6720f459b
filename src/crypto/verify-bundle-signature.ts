// Verifies a message Bundle's signature: header first, then the partner's key, then the JCS bytes.
import type { Bundle, Reference } from '@medplum/fhirtypes';
import { readJoseSignature, readSignatureTime } from './fhir-signature.js';
import { signatureFailure } from './signature-failure.js';
import type { SignatureHeader } from './signature-header.js';
import { unsignedBundleBytes } from './sign-bundle.js';
import {
  verifyDetached,
  type SignatureKeyResolver,
  type SignatureVerifyOptions,
} from './verify-detached.js';

export interface BundleVerifyOptions extends Omit<SignatureVerifyOptions, 'expression'> {
  /** How far `Signature.when` may lie ahead of `now`; defaults to 60 seconds. */
  readonly clockSkewSeconds?: number;
}

export interface VerifiedBundleSignature<Info> {
  readonly header: SignatureHeader;
  /** What the key resolver said of the key (partner, certificate). */
  readonly key: Info;
  /** `Signature.who`: the caller checks it names the same institution as the key and the token. */
  readonly who: Reference;
  readonly when: Date;
}

const EXPRESSION = ['Bundle.signature'];

/**
 * Throws ENLACE_SIGNATURE_INVALID (400, security) "signature verification failed" for any failure —
 * no signature, another format, bad header, unknown or untrusted key, altered content — with the
 * precise reason only in `cause`.
 */
export async function verifyBundleSignature<Info>(
  bundle: Bundle,
  resolveKey: SignatureKeyResolver<Info>,
  options: BundleVerifyOptions,
): Promise<VerifiedBundleSignature<Info>> {
  let jws: string;
  let when: Date;
  let who: Reference;
  try {
    jws = readJoseSignature(bundle.signature);
    const signature = bundle.signature;
    if (signature?.who.reference === undefined) throw new Error('who names no reference');
    who = signature.who;
    when = readSignatureTime(signature);
    const skewMs = (options.clockSkewSeconds ?? 60) * 1000;
    // Why: a signature dated in the future is a clock fault or a forgery; either way not yet valid.
    if (when.getTime() > options.now.getTime() + skewMs) throw new Error('when lies in the future');
  } catch (cause) {
    throw signatureFailure(cause, EXPRESSION);
  }
  const verified = await verifyDetached(jws, unsignedBundleBytes(bundle), resolveKey, {
    ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
    now: options.now,
    expression: EXPRESSION,
  });
  return { header: verified.header, key: verified.key, who, when };
}
