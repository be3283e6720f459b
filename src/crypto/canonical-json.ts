// RFC 8785 JSON Canonicalization Scheme (JCS): the exact bytes Enlace signs, via the RFC author's `canonicalize`.
import canonicalize from 'canonicalize';

/** A JSON value as JSON.parse returns it; nothing that JCS could not serialise. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

/**
 * The JCS canonical form of `value` (sorted members by UTF-16 code units, ECMAScript number
 * serialisation, no whitespace). Members whose value is `undefined` are left out, as JSON.stringify
 * does. Throws on NaN, Infinity and lone surrogates, which JCS forbids (RFC 8785 §3.2.2).
 */
export function canonicalJson(value: JsonValue): string {
  const text = canonicalize(value);
  // Why: a signature over "undefined" would sign nothing; only a real JSON text may be signed.
  if (text === undefined) throw new TypeError('the value has no JSON representation');
  return text;
}

const utf8 = new TextEncoder();

/** The UTF-8 octets of the canonical form: the input to a signature (RFC 8785 §3.2.4). */
export function canonicalJsonBytes(value: JsonValue): Uint8Array {
  return utf8.encode(canonicalJson(value));
}
