// Checks a partner's JWKS before it is registered: public keys only, strong enough, kids unique and plain.
import { importJWK, type JWK } from 'jose';
import { GatewayError } from '../kernel/index.js';

/** JWK members that hold private or symmetric key material. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const KID = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_KEYS = 10;
const MIN_RSA_BITS = 2048;

const invalid = (text: string): GatewayError =>
  new GatewayError('ENLACE_PARTNER_INVALID', `The JWKS is not acceptable: ${text}`, {
    expression: ['jwks'],
  });

/** Returns the keys reduced to public members, or throws ENLACE_PARTNER_INVALID. */
export async function checkPartnerJwks(value: unknown): Promise<{ keys: JWK[] }> {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_KEYS) {
    throw invalid(`expected an object with 1 to ${MAX_KEYS} keys.`);
  }
  const kids = new Set<string>();
  const checked: JWK[] = [];
  for (const raw of keys as unknown[]) {
    if (typeof raw !== 'object' || raw === null) throw invalid('every key must be an object.');
    const jwk = raw as JWK;
    // Why: a registry must never hold a partner's private key; refuse rather than strip silently.
    if (PRIVATE_MEMBERS.some((member) => member in jwk)) {
      throw invalid('it contains private key material; register public keys only.');
    }
    if (typeof jwk.kid !== 'string' || !KID.test(jwk.kid) || kids.has(jwk.kid)) {
      throw invalid('every key needs a unique kid of 1-128 characters [A-Za-z0-9._:-].');
    }
    kids.add(jwk.kid);
    if (jwk.kty !== 'EC' && jwk.kty !== 'RSA' && jwk.kty !== 'OKP') {
      throw invalid(
        `key ${jwk.kid} has kty ${String(jwk.kty)}; only EC, RSA and OKP are accepted.`,
      );
    }
    if (jwk.kty === 'RSA' && Buffer.from(jwk.n ?? '', 'base64url').length * 8 < MIN_RSA_BITS) {
      throw invalid(`key ${jwk.kid} is RSA below ${MIN_RSA_BITS} bits.`);
    }
    if (jwk.kty === 'EC' && !['P-256', 'P-384', 'P-521'].includes(jwk.crv ?? '')) {
      throw invalid(`key ${jwk.kid} uses an unsupported curve.`);
    }
    if (jwk.kty === 'OKP' && jwk.crv !== 'Ed25519') {
      throw invalid(`key ${jwk.kid} must be Ed25519 to sign.`);
    }
    try {
      await importJWK({ ...jwk, ext: true }, algorithmFor(jwk));
    } catch (cause) {
      throw new GatewayError(
        'ENLACE_PARTNER_INVALID',
        `The JWKS is not acceptable: key ${jwk.kid} does not parse.`,
        {
          cause,
          expression: ['jwks'],
        },
      );
    }
    const { kty, crv, x, y, n, e, kid, alg, use } = jwk;
    checked.push(
      Object.fromEntries(
        Object.entries({ kty, crv, x, y, n, e, kid, alg, use }).filter(([, v]) => v !== undefined),
      ),
    );
  }
  return { keys: checked };
}

function algorithmFor(jwk: JWK): string {
  if (jwk.kty === 'RSA') return 'PS256';
  if (jwk.kty === 'OKP') return 'EdDSA';
  return jwk.crv === 'P-384' ? 'ES384' : jwk.crv === 'P-521' ? 'ES512' : 'ES256';
}
