// Verifies a compact detached JWS over given bytes; any failure is one uniform GatewayError.
import { base64url, flattenedVerify, type CryptoKey, type KeyObject } from 'jose';
import { isBase64url } from './jose-header.js';
import { effectiveSignatureAlgorithms } from './signature-algorithms.js';
import { isServerFault, signatureFailure } from './signature-failure.js';
import { readSignatureHeader, type SignatureHeader } from './signature-header.js';

/** What the key resolver is told: the algorithm and key names from the header, and the time. */
export interface SignatureKeyRequest {
  readonly alg: string;
  readonly kid?: string;
  readonly x5c?: readonly string[];
  /** Certificates and registered keys are judged valid or not at this instant. */
  readonly now: Date;
}

/** The public key to check with, and whatever the resolver wants the caller to know of it. */
export interface ResolvedSignatureKey<Info> {
  readonly key: CryptoKey | KeyObject;
  readonly info: Info;
}

/** Finds the signer's key (partner registry, PKI); throws when there is none or it is not trusted. */
export type SignatureKeyResolver<Info> = (
  request: SignatureKeyRequest,
) => Promise<ResolvedSignatureKey<Info>>;

export interface SignatureVerifyOptions {
  /** Allowed `alg` values; defaults to ES256, ES384, PS256, EdDSA. `none` and HS* are always refused. */
  readonly algorithms?: readonly string[];
  readonly now: Date;
  /** Where the signature sits in the resource, for the OperationOutcome. */
  readonly expression?: readonly string[];
}

export interface VerifiedSignature<Info> {
  readonly header: SignatureHeader;
  readonly key: Info;
}

/** `<protected>..<signature>`: the payload section must be empty (RFC 7515 Appendix F). */
const DETACHED_COMPACT = /^([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]+)$/;

/**
 * Checks the header (algorithm allow-list, refused parameters) before asking for a key, then the
 * signature over `payload`. Throws ENLACE_SIGNATURE_INVALID "signature verification failed" for every
 * failure; only a resolver failure that is the gateway's own (5xx) passes through unchanged.
 */
export async function verifyDetached<Info>(
  compact: string,
  payload: Uint8Array,
  resolveKey: SignatureKeyResolver<Info>,
  options: SignatureVerifyOptions,
): Promise<VerifiedSignature<Info>> {
  const expression = options.expression ?? [];
  let header: SignatureHeader;
  let encodedHeader: string;
  let signature: string;
  try {
    const match = DETACHED_COMPACT.exec(compact);
    // Why: an attached payload would be a second, unchecked copy of the message next to the real one.
    if (match?.[1] === undefined || match[2] === undefined || !isBase64url(match[2])) {
      throw new Error('not a compact JWS with a detached payload');
    }
    encodedHeader = match[1];
    signature = match[2];
    header = readSignatureHeader(encodedHeader, effectiveSignatureAlgorithms(options.algorithms));
  } catch (cause) {
    throw signatureFailure(cause, expression);
  }
  let resolved: ResolvedSignatureKey<Info>;
  try {
    resolved = await resolveKey({
      alg: header.alg,
      ...(header.kid === undefined ? {} : { kid: header.kid }),
      ...(header.x5c === undefined ? {} : { x5c: header.x5c }),
      now: options.now,
    });
  } catch (cause) {
    if (isServerFault(cause)) throw cause;
    throw signatureFailure(cause, expression);
  }
  try {
    // Why: only the header's own, already allowed, algorithm; jose also checks the key fits it.
    await flattenedVerify(
      { protected: encodedHeader, payload: base64url.encode(payload), signature },
      resolved.key,
      { algorithms: [header.alg] },
    );
  } catch (cause) {
    throw signatureFailure(cause, expression);
  }
  return { header, key: resolved.info };
}
