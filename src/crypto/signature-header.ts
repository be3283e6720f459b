// Reads and checks a JWS protected header before any key is looked up.
import { decodeProtectedHeader, optionalString } from './jose-header.js';
import { isForbiddenSignatureAlgorithm } from './signature-algorithms.js';

/** The protected header parameters a verified signature is known by. */
export interface SignatureHeader {
  readonly alg: string;
  readonly kid?: string;
  /** The signer's certificate chain, base64 DER, leaf first (RFC 7515 §4.1.6). */
  readonly x5c?: readonly string[];
  readonly typ?: string;
}

const MAX_HEADER_LENGTH = 64 * 1024;
const MAX_CHAIN_LENGTH = 10;
const MAX_CERTIFICATE_LENGTH = 16 * 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parameters that would change how the signature is checked or where its key comes from. Refused
 * rather than ignored: a signer who sets them expects them honoured, and honouring them is unsafe.
 */
const REFUSED = {
  // Why: we implement no extension, so RFC 7515 §4.1.11 requires refusing any `crit`.
  crit: 'critical header parameters are not supported',
  // Why: b64=false (RFC 7797) signs the raw payload; allowing it gives two ways to read one signature.
  b64: 'unencoded payloads (b64) are not accepted',
  // Why: a key the message carries itself proves nothing; keys come from the partner registry or PKI.
  jwk: 'embedded keys (jwk) are not accepted',
  jku: 'key set URLs (jku) are not accepted',
  x5u: 'certificate URLs (x5u) are not accepted',
} as const;

/** Decodes the header and checks it against the allow-list; throws an Error naming the problem. */
export function readSignatureHeader(
  encoded: string,
  allowed: ReadonlySet<string>,
): SignatureHeader {
  const header = decodeProtectedHeader(encoded, MAX_HEADER_LENGTH);
  const alg = header.alg;
  if (typeof alg !== 'string') throw new Error('the "alg" header parameter is missing');
  // Why: checked by name first, whatever the allow-list says, so `none` and HMAC never reach a key.
  if (isForbiddenSignatureAlgorithm(alg)) throw new Error(`the algorithm ${alg} is never accepted`);
  if (!allowed.has(alg)) throw new Error(`the algorithm ${alg} is not allowed`);
  for (const [name, reason] of Object.entries(REFUSED)) {
    if (Object.hasOwn(header, name)) throw new Error(reason);
  }
  const kid = optionalString(header, 'kid');
  const x5c = readChain(header.x5c);
  // Why: without either, the only way to find a key would be to try several; never do that.
  if (kid === undefined && x5c === undefined)
    throw new Error('the header names no key (kid or x5c)');
  const typ = optionalString(header, 'typ');
  return {
    alg,
    ...(kid === undefined ? {} : { kid }),
    ...(x5c === undefined ? {} : { x5c }),
    ...(typ === undefined ? {} : { typ }),
  };
}

function readChain(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_CHAIN_LENGTH) {
    throw new Error(`"x5c" must hold 1 to ${MAX_CHAIN_LENGTH} certificates`);
  }
  return value.map((entry: unknown) => {
    if (typeof entry !== 'string' || entry.length > MAX_CERTIFICATE_LENGTH || !BASE64.test(entry)) {
      throw new Error('each "x5c" entry must be a base64 DER certificate');
    }
    return entry;
  });
}
