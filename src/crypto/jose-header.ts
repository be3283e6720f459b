// Decoding JOSE compact parts and protected headers from hostile input, before any key is touched.
import { base64url } from 'jose';
import { decodeUtf8, parseStrictJson } from '../kernel/index.js';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Deepest nesting a protected header needs: the header object and an `epk` or `x5c` inside it. */
const HEADER_MAX_DEPTH = 3;

/** Whether `text` uses only the unpadded base64url alphabet (RFC 7515 §2) with a possible length. */
export function isBase64url(text: string): boolean {
  return BASE64URL.test(text) && text.length % 4 !== 1;
}

/** The octet count an unpadded base64url text of this length decodes to. */
export const base64urlDecodedLength = (length: number): number => Math.floor((length * 3) / 4);

/**
 * Decodes and parses a protected header: base64url, then UTF-8 (fatal on bad sequences), then strict
 * JSON. Throws an Error (or GatewayError) describing the problem; callers decide what the client sees.
 */
export function decodeProtectedHeader(
  encoded: string,
  maxLength: number,
): Readonly<Record<string, unknown>> {
  // Why: bound the work before decoding; a real header is a few hundred characters.
  if (encoded.length === 0 || encoded.length > maxLength) {
    throw new Error(`the protected header is empty or longer than ${maxLength} characters`);
  }
  if (!isBase64url(encoded)) throw new Error('the protected header is not base64url');
  // Why: duplicate member names would let two parsers read two different headers (RFC 7515 §5.2).
  const parsed = parseStrictJson(decodeUtf8(base64url.decode(encoded)), {
    maxDepth: HEADER_MAX_DEPTH,
  });
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('the protected header is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** The member as a string of bounded length, undefined when absent; throws when of another type. */
export function optionalString(
  header: Readonly<Record<string, unknown>>,
  name: string,
  maxLength = 256,
): string | undefined {
  const value = header[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new Error(
      `the "${name}" header parameter must be a string of 1 to ${maxLength} characters`,
    );
  }
  return value;
}
