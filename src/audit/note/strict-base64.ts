// Standard padded base64 (RFC 4648 §4), decoded only from its one canonical spelling.

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const toBase64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/**
 * The bytes `text` encodes, or undefined. Why strict: Buffer's decoder skips stray characters and
 * accepts base64url, missing padding and non-zero padding bits, so many strings would name the same
 * key or signature; with one spelling per value, comparing and deduplicating lines is exact.
 */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : undefined;
}
