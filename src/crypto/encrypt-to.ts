// Encrypts an outbound delivery to a recipient's public key as a compact JWE (A256GCM content).
import { base64url, CompactEncrypt, type JWK } from 'jose';
import { GatewayError } from '../kernel/index.js';
import { createPublicKeyCache, PRIVATE_MEMBERS, type PublicKeyCache } from './public-key-cache.js';

export interface EncryptOptions {
  /** Content type of the plaintext, e.g. `application/fhir+json`. */
  readonly cty?: string;
  readonly typ?: string;
  /** Where recipient keys are kept once imported; defaults to one cache for the process. */
  readonly keyCache?: PublicKeyCache;
}

const defaultCache = createPublicKeyCache();

/** EC and OKP curves ECDH-ES works on with the keys partners publish. */
const ECDH_CURVES = new Set(['P-256', 'P-384', 'P-521', 'X25519']);

/** RSA-OAEP below 2048 bits is too weak for case data (NIST SP 800-131A). */
const MIN_RSA_MODULUS_BYTES = 256;

/**
 * The key management algorithm for a recipient key: ECDH-ES+A256KW for EC and X25519 keys,
 * RSA-OAEP-256 for RSA keys. Throws ENLACE_RECIPIENT_KEY_UNSUPPORTED for anything else, so the
 * partner registry can call it when a key is registered rather than when a delivery fails.
 */
export function keyManagementFor(jwk: JWK): 'ECDH-ES+A256KW' | 'RSA-OAEP-256' {
  // Why: a registered "public" key with private members is a leaked private key; say so, use none of it.
  if (PRIVATE_MEMBERS.some((member) => Object.hasOwn(jwk, member))) {
    throw refused('it holds private key material');
  }
  // Why: a key published for signatures must not be used to encrypt (RFC 7517 §4.2).
  if (jwk.use !== undefined && jwk.use !== 'enc') {
    throw refused(`its "use" is ${JSON.stringify(jwk.use.slice(0, 16))}, not "enc"`);
  }
  let alg: 'ECDH-ES+A256KW' | 'RSA-OAEP-256';
  if ((jwk.kty === 'EC' || jwk.kty === 'OKP') && ECDH_CURVES.has(jwk.crv ?? '')) {
    alg = 'ECDH-ES+A256KW';
  } else if (jwk.kty === 'RSA' && typeof jwk.n === 'string') {
    if (base64url.decode(jwk.n).byteLength < MIN_RSA_MODULUS_BYTES) {
      throw refused('its RSA modulus is shorter than 2048 bits');
    }
    alg = 'RSA-OAEP-256';
  } else {
    throw refused('it is neither an EC (P-256, P-384, P-521), X25519 nor RSA public key');
  }
  // Why: a key pinned to another algorithm (RSA1_5, ECDH-ES direct) states the holder's intent.
  if (jwk.alg !== undefined && jwk.alg !== alg) {
    throw refused(`it is for ${JSON.stringify(jwk.alg.slice(0, 32))}, not ${alg}`);
  }
  return alg;
}

/**
 * Returns `<protected>.<encrypted key>.<iv>.<ciphertext>.<tag>` with enc A256GCM and the recipient's
 * `kid` (when it has one) in the protected header. The key is imported once and cached.
 */
export async function encryptTo(
  recipientJwk: JWK,
  plaintext: Uint8Array | string,
  options: EncryptOptions = {},
): Promise<string> {
  const alg = keyManagementFor(recipientJwk);
  let key;
  try {
    key = await (options.keyCache ?? defaultCache).importKey(recipientJwk, alg);
  } catch (cause) {
    throw refused('it cannot be imported', cause);
  }
  const bytes = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext;
  return new CompactEncrypt(bytes)
    .setProtectedHeader({
      alg,
      enc: 'A256GCM',
      ...(recipientJwk.kid === undefined ? {} : { kid: recipientJwk.kid }),
      ...(options.cty === undefined ? {} : { cty: options.cty }),
      ...(options.typ === undefined ? {} : { typ: options.typ }),
    })
    .encrypt(key);
}

const refused = (reason: string, cause?: unknown): GatewayError =>
  new GatewayError(
    'ENLACE_RECIPIENT_KEY_UNSUPPORTED',
    `The recipient key cannot be used for encryption: ${reason}.`,
    cause === undefined ? {} : { cause },
  );
