// Turns a presented x5c array (base64 DER, leaf first) into parsed certificates, within fixed bounds.
import { chainInvalid } from './chain-error.js';
import { parseCertificate } from './parsed-certificate.js';
import type { ParsedCertificate } from './parsed-certificate.js';
import { MAX_CHAIN_LENGTH, MAX_X5C_ENTRY_CHARS } from './pki-constants.js';

/** RFC 7515 §4.1.6: x5c entries are base64 (not base64url) DER, padded. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function decodeX5c(x5c: unknown): ParsedCertificate[] {
  // Why bounded: the chain arrives from an unauthenticated client; size and count caps keep
  // parsing and signature checks cheap before anything is trusted.
  if (!Array.isArray(x5c) || x5c.length === 0) {
    throw chainInvalid('x5c is not a non-empty array');
  }
  if (x5c.length > MAX_CHAIN_LENGTH) {
    throw chainInvalid(`x5c has ${x5c.length} entries, more than ${MAX_CHAIN_LENGTH}`);
  }
  return x5c.map((entry: unknown, index) => {
    if (typeof entry !== 'string' || entry.length === 0 || entry.length > MAX_X5C_ENTRY_CHARS) {
      throw chainInvalid(`x5c[${index}] is not a string of 1 to ${MAX_X5C_ENTRY_CHARS} characters`);
    }
    if (!BASE64.test(entry)) {
      throw chainInvalid(`x5c[${index}] is not base64`);
    }
    try {
      return parseCertificate(Buffer.from(entry, 'base64'));
    } catch (error) {
      throw chainInvalid(`x5c[${index}] is not a DER certificate`, error);
    }
  });
}
