// Checks an inbound JWE's protected header and picks the gateway key it is for, before any key operation.
import { GatewayError } from '../kernel/index.js';
import type { GatewayKey } from './gateway-keys.js';
import { decodeProtectedHeader, optionalString } from './jose-header.js';

/** The only key management the gateway offers: its keys are P-256 and X25519 (no RSA key). */
export const INBOUND_KEY_MANAGEMENT = 'ECDH-ES+A256KW';
export const INBOUND_CONTENT_ENCRYPTION = 'A256GCM';

export interface InboundJweHeader {
  readonly alg: string;
  readonly enc: string;
  /** The gateway encryption key the message is for. */
  readonly kid: string;
  readonly cty?: string;
  readonly typ?: string;
}

const MAX_HEADER_LENGTH = 8 * 1024;

/**
 * Parameters refused even though jose would handle or ignore them: each changes processing in a
 * way the gateway does not want from a partner.
 */
const REFUSED = {
  // Why: compression before encryption leaks plaintext through length (CRIME-style) and invites zip bombs.
  zip: 'compressed JWE (zip) is not accepted',
  // Why: the gateway implements no JWE extension, so any `crit` must be refused (RFC 7516 §4.1.13).
  crit: 'critical header parameters are not accepted',
  // Why: the recipient key is the gateway's own; a key or key URL in the header has no business here.
  jwk: 'embedded keys (jwk) are not accepted',
  jku: 'key set URLs (jku) are not accepted',
  x5u: 'certificate URLs (x5u) are not accepted',
} as const;

const unsupported = (message: string): GatewayError =>
  new GatewayError('ENLACE_JWE_UNSUPPORTED', message);

/**
 * Decodes the header (ENLACE_JWE_MALFORMED when unreadable) and refuses what is not offered. `keys`
 * are the encryption keys in use (one per curve); `published` adds those published ahead of use or
 * kept after a rotation, which a `kid` may name.
 */
export function readInboundJweHeader(
  encoded: string,
  keys: readonly GatewayKey[],
  published: readonly GatewayKey[] = keys,
): { readonly header: InboundJweHeader; readonly key: GatewayKey } {
  let raw: Readonly<Record<string, unknown>>;
  try {
    raw = decodeProtectedHeader(encoded, MAX_HEADER_LENGTH);
  } catch (cause) {
    throw new GatewayError('ENLACE_JWE_MALFORMED', 'The JWE protected header is not readable.', {
      cause,
    });
  }
  const { alg, enc } = raw;
  // Why: RSA1_5 (padding oracle), PBES2 (password, costly), dir and A*KW (shared secrets) are refused
  // by allowing exactly one key management algorithm and one content encryption.
  if (alg !== INBOUND_KEY_MANAGEMENT) {
    throw unsupported(
      typeof alg === 'string'
        ? `The JWE "alg" ${shownValue(alg)} is not supported; use ${INBOUND_KEY_MANAGEMENT}.`
        : `The JWE "alg" must be ${INBOUND_KEY_MANAGEMENT}.`,
    );
  }
  if (enc !== INBOUND_CONTENT_ENCRYPTION) {
    throw unsupported(`The JWE "enc" must be ${INBOUND_CONTENT_ENCRYPTION}${shown(enc)}.`);
  }
  for (const [name, reason] of Object.entries(REFUSED)) {
    if (Object.hasOwn(raw, name)) throw unsupported(`The JWE header is refused: ${reason}.`);
  }
  let kid: string | undefined;
  let cty: string | undefined;
  let typ: string | undefined;
  try {
    kid = optionalString(raw, 'kid');
    cty = optionalString(raw, 'cty');
    typ = optionalString(raw, 'typ');
  } catch (cause) {
    throw unsupported(`The JWE header is refused: ${(cause as Error).message}.`);
  }
  const key = selectKey(kid, raw.epk, keys, published);
  return {
    header: {
      alg,
      enc,
      kid: key.kid,
      ...(cty === undefined ? {} : { cty }),
      ...(typ === undefined ? {} : { typ }),
    },
    key,
  };
}

/**
 * `kid`, when present, must be one of the gateway's published encryption keys; when absent the key
 * is the one in use on the curve of `epk` (exactly one per curve). Why never "try each key": that
 * would multiply the work an attacker can cause and blur which key a message was for.
 */
function selectKey(
  kid: string | undefined,
  epk: unknown,
  keys: readonly GatewayKey[],
  published: readonly GatewayKey[],
): GatewayKey {
  if (typeof epk !== 'object' || epk === null || Array.isArray(epk)) {
    throw unsupported('The JWE header must carry the ephemeral public key "epk".');
  }
  const { kty, crv } = epk as Record<string, unknown>;
  const onCurve = (key: GatewayKey) =>
    key.publicJwk.kty === kty && key.publicJwk.crv === crv && key.use === 'enc';
  if (kid !== undefined) {
    const named = published.find((key) => key.kid === kid && key.use === 'enc');
    if (named === undefined) {
      throw unsupported('The JWE "kid" is not one of the gateway\'s encryption keys.');
    }
    // Why: an epk on another curve than the named key could only fail later, inside the key agreement.
    if (!onCurve(named)) {
      throw unsupported('The JWE "epk" is not on the curve of the key named by "kid".');
    }
    return named;
  }
  const [only, ...others] = keys.filter(onCurve);
  if (only === undefined || others.length > 0) {
    throw unsupported('The JWE "epk" curve matches none of the gateway\'s encryption keys.');
  }
  return only;
}

// Show at most 32 characters of a client-supplied value, JSON-quoted so nothing is injected.
const shownValue = (value: string): string => JSON.stringify(value.slice(0, 32));
const shown = (value: unknown): string =>
  typeof value === 'string' ? ` (got ${shownValue(value)})` : '';
