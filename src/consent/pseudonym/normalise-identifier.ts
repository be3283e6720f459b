// Turns a survivor's business identifier into the one canonical string the pseudonym is computed over.
import { GatewayError } from '../../kernel/index.js';
import type { SurvivorIdentifier } from '../types.js';

/** Longest identifier value (before normalisation) or system accepted, in characters. */
export const MAX_IDENTIFIER_LENGTH = 256;

// Absolute URI with a scheme (RFC 3986 §3.1) followed by something, or a URN; no whitespace.
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;

// Whitespace and the separators people type inside id numbers: "1.234.567-8", "AB 12/34".
const SEPARATORS = /[\s\-./]/gu;

/**
 * Normalisation, so the same woman gets the same pseudonym whichever institution types her number:
 * - system: trimmed, otherwise kept exactly (URIs are case-sensitive); it must be an absolute URI
 *   (`https://…`, `urn:oid:…`, `urn:…`);
 * - value: Unicode NFKC (full-width digits become ASCII digits), trimmed, upper-cased, and every
 *   whitespace character, '-', '.' and '/' removed — "1.234.567-8" and "12345678" are equal.
 * The result is `system|value`; '|' cannot be confused because the system holds no whitespace and
 * the value comes last.
 * Throws ENLACE_SURVIVOR_UNIDENTIFIABLE for an empty or oversized value or a system that is not an
 * absolute URI; the message never repeats the value, which is personal data.
 */
export function normaliseIdentifier(identifier: SurvivorIdentifier): string {
  const system = identifier.system.trim();
  if (system.length === 0 || system.length > MAX_IDENTIFIER_LENGTH || !ABSOLUTE_URI.test(system)) {
    throw new GatewayError(
      'ENLACE_SURVIVOR_UNIDENTIFIABLE',
      `The survivor's identifier system must be an absolute URI (https://… or urn:…) of at most ${MAX_IDENTIFIER_LENGTH} characters.`,
    );
  }
  if (identifier.value.length > MAX_IDENTIFIER_LENGTH) {
    throw new GatewayError(
      'ENLACE_SURVIVOR_UNIDENTIFIABLE',
      `The survivor's identifier value must be at most ${MAX_IDENTIFIER_LENGTH} characters.`,
    );
  }
  const value = identifier.value.normalize('NFKC').trim().toUpperCase().replace(SEPARATORS, '');
  // Why: an identifier made only of separators would give every such woman the same pseudonym.
  if (value.length === 0) {
    throw new GatewayError(
      'ENLACE_SURVIVOR_UNIDENTIFIABLE',
      "The survivor's identifier value is empty once spaces and separators are removed.",
    );
  }
  return `${system}|${value}`;
}
