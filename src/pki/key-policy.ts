// Which public keys the PKI accepts: EC P-256/P-384 (P-521 for external CAs) and RSA of 2048 bits or more.
import type { KeyObject } from 'node:crypto';

export const MIN_RSA_BITS = 2048;

/** Curves a partner key may use; these match the ES256/ES384 JWS algorithms the gateway allows. */
const PARTNER_CURVES = new Set(['prime256v1', 'secp384r1']);
/** Curves any certificate in a chain may use (national CAs sometimes sign with P-521). */
const CHAIN_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/** Why the key is refused, or undefined when the policy allows it. */
export function describeRefusedKey(key: KeyObject, role: 'partner' | 'chain'): string | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = details.namedCurve ?? 'unknown';
      const allowed = role === 'partner' ? PARTNER_CURVES : CHAIN_CURVES;
      return allowed.has(curve) ? undefined : `EC curve ${curve} is not allowed`;
    }
    case 'rsa': {
      // Why: RSA below 2048 bits is within reach of well-funded attackers (NIST SP 800-131A).
      const bits = details.modulusLength ?? 0;
      return bits >= MIN_RSA_BITS ? undefined : `RSA key of ${bits} bits is below ${MIN_RSA_BITS}`;
    }
    default:
      // Ed25519 and others are refused so partner keys stay within the JWS algorithms
      // (ES256, ES384, RS256, PS256) the gateway verifies; RSA-PSS-only keys likewise.
      return `key type ${key.asymmetricKeyType ?? 'unknown'} is not allowed`;
  }
}
