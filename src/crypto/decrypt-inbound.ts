// Decrypts a partner's compact JWE submission to the gateway: bounded, header-checked, one failure answer.
import { compactDecrypt } from 'jose';
import { GatewayError } from '../kernel/index.js';
import { publishedKeysOf, type GatewayKeys } from './gateway-keys.js';
import {
  INBOUND_CONTENT_ENCRYPTION,
  INBOUND_KEY_MANAGEMENT,
  readInboundJweHeader,
  type InboundJweHeader,
} from './inbound-jwe-header.js';
import { base64urlDecodedLength, isBase64url } from './jose-header.js';

export interface InboundLimits {
  /** Longest compact JWE accepted, in characters: the HTTP body limit. */
  readonly maxCompactLength: number;
  /** Largest plaintext accepted, in bytes. */
  readonly maxPlaintextBytes: number;
}

export interface DecryptedMessage {
  /** The plaintext octets, for the caller to decode (decodeUtf8) and parse (parseStrictJson). */
  readonly plaintext: Uint8Array;
  readonly header: InboundJweHeader;
}

export const DECRYPTION_FAILED_MESSAGE = 'the message could not be decrypted';

/**
 * Checks size and shape, then the protected header (alg ECDH-ES+A256KW, enc A256GCM, no zip, no
 * crit, a known key), and only then decrypts. Once a key is used every failure — altered IV, tag,
 * ciphertext, encrypted key, header, or a message for another key — is ENLACE_DECRYPTION_FAILED.
 */
export async function decryptInbound(
  compact: string,
  gatewayKeys: GatewayKeys,
  limits: InboundLimits,
): Promise<DecryptedMessage> {
  // Why: bound every later step (split, decode, key agreement) by the same limit as the HTTP body.
  if (compact.length > limits.maxCompactLength) {
    throw new GatewayError(
      'ENLACE_BODY_TOO_LARGE',
      `The JWE exceeds the limit of ${limits.maxCompactLength} characters.`,
    );
  }
  const parts = compact.trim().split('.');
  const [encodedHeader, encryptedKey, , ciphertext] = parts;
  // Why: compact serialization only: a JSON serialization could carry unprotected headers and
  // several recipients, none of which the gateway needs. The encrypted key may be empty here, as
  // RFC 7516 allows for direct encryption (`dir`, `ECDH-ES`), so that such a JWE is refused below
  // for its algorithm, which is what the sender must change, rather than as unreadable.
  if (
    parts.length !== 5 ||
    encodedHeader === undefined ||
    encryptedKey === undefined ||
    ciphertext === undefined ||
    !parts.every((part, index) => (part.length > 0 || index === 1) && isBase64url(part))
  ) {
    throw new GatewayError(
      'ENLACE_JWE_MALFORMED',
      'The body is not a JWE in compact serialization.',
    );
  }
  // Why: A256GCM ciphertext is as long as the plaintext, so the bound holds before decrypting.
  if (base64urlDecodedLength(ciphertext.length) > limits.maxPlaintextBytes) {
    throw new GatewayError(
      'ENLACE_BODY_TOO_LARGE',
      `The decrypted message would exceed the limit of ${limits.maxPlaintextBytes} bytes.`,
    );
  }
  const { header, key } = readInboundJweHeader(
    encodedHeader,
    gatewayKeys.encryption,
    publishedKeysOf(gatewayKeys)
      .map((published) => published.key)
      .filter((key) => key.use === 'enc'),
  );
  // ECDH-ES+A256KW always wraps the content key, so its encrypted key part cannot be empty.
  if (encryptedKey.length === 0) {
    throw new GatewayError(
      'ENLACE_JWE_MALFORMED',
      `The JWE has no encrypted key, which ${INBOUND_KEY_MANAGEMENT} requires.`,
    );
  }
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(parts.join('.'), key.privateKey, {
      keyManagementAlgorithms: [INBOUND_KEY_MANAGEMENT],
      contentEncryptionAlgorithms: [INBOUND_CONTENT_ENCRYPTION],
    }));
  } catch (cause) {
    // Why: one answer for every failure, so a client cannot tell which part it altered (no oracle).
    throw new GatewayError('ENLACE_DECRYPTION_FAILED', DECRYPTION_FAILED_MESSAGE, { cause });
  }
  if (plaintext.byteLength > limits.maxPlaintextBytes) {
    throw new GatewayError(
      'ENLACE_BODY_TOO_LARGE',
      `The decrypted message exceeds the limit of ${limits.maxPlaintextBytes} bytes.`,
    );
  }
  return { plaintext, header };
}
