// Signs a FHIR message Bundle: a detached JWS over the JCS form of the Bundle without its signature.
import type { Bundle, Reference } from '@medplum/fhirtypes';
import { canonicalJsonBytes, type JsonValue } from './canonical-json.js';
import { buildJoseSignature } from './fhir-signature.js';
import { signDetached, type JoseSigner } from './sign-detached.js';

/** The Bundle as it is signed and verified: every member except `signature`. */
export function unsignedBundleBytes(bundle: Bundle): Uint8Array {
  const copy: Record<string, unknown> = { ...bundle };
  delete copy.signature;
  // A FHIR resource is JSON by construction (it was parsed from JSON or built as such).
  return canonicalJsonBytes(copy as JsonValue);
}

/**
 * Returns a copy of `bundle` with `signature` set: type Author's Signature, `when`, `who` (the
 * sending Organization), sigFormat application/jose, data = base64 of `<protected>..<signature>`.
 */
export async function signBundle<B extends Bundle>(
  bundle: B,
  signer: JoseSigner,
  who: Reference,
  when: Date,
): Promise<B> {
  const jws = await signDetached(unsignedBundleBytes(bundle), signer);
  return { ...bundle, signature: buildJoseSignature(jws, who, when) };
}
