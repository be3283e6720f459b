// Which JWS algorithms a signature may use: an allow-list, and the ones no configuration can allow.

/** Accepted when the caller gives no list (DESIGN.md: asymmetric, widely implemented). */
export const DEFAULT_SIGNATURE_ALGORITHMS = ['ES256', 'ES384', 'PS256', 'EdDSA'] as const;

/**
 * `none` in any spelling, and HMAC (`HS*`): an unsigned message, or a "signature" by a secret the
 * verifier also holds, proves nothing about which institution sent it.
 */
export function isForbiddenSignatureAlgorithm(alg: string): boolean {
  return alg.trim().toLowerCase() === 'none' || /^hs\d*$/i.test(alg.trim());
}

/** The allow-list with forbidden entries dropped, so a misconfigured list cannot let them in. */
export function effectiveSignatureAlgorithms(
  allowed: readonly string[] = DEFAULT_SIGNATURE_ALGORITHMS,
): ReadonlySet<string> {
  return new Set(allowed.filter((alg) => !isForbiddenSignatureAlgorithm(alg)));
}
