// Creates an institution's key pairs: one to sign (messages and client assertions), one others encrypt to.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/** Signing algorithms a fresh key may use: those the gateway verifies and its CA certifies (EdDSA: JWKS only). */
export const SIGNING_ALGORITHMS = ['ES256', 'ES384', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export interface GeneratedKey {
  /** The private JWK, with its `kid` and `alg`: what `readSigningKey`/`readDecryptionKey` read. */
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

export interface GeneratedKeys {
  readonly signing: GeneratedKey;
  readonly encryption: GeneratedKey;
  /** The public signing key as a JWKS: what the operator registers (`enlace partner register --jwks`). */
  readonly jwks: { readonly keys: readonly JWK[] };
}

async function generate(
  alg: string,
  use: 'sig' | 'enc',
  options: Parameters<typeof generateKeyPair>[1],
): Promise<GeneratedKey> {
  const pair = await generateKeyPair(alg, { ...options, extractable: true });
  const publicMembers = await exportJWK(pair.publicKey);
  // Why the thumbprint (RFC 7638) as kid: unique without a registry, and the same on both sides.
  const kid = await calculateJwkThumbprint(publicMembers, 'sha256');
  const publicJwk: JWK = { ...publicMembers, kid, alg, use };
  return { privateJwk: { ...(await exportJWK(pair.privateKey)), kid, alg, use }, publicJwk };
}

/** A signing key (ES256 unless told) and an ECDH-ES+A256KW P-256 encryption key. */
export async function generatePartnerKeys(
  options: { readonly signingAlg?: SigningAlgorithm } = {},
): Promise<GeneratedKeys> {
  const signingAlg = options.signingAlg ?? 'ES256';
  const signing = await generate(
    signingAlg,
    'sig',
    signingAlg === 'EdDSA' ? { crv: 'Ed25519' } : {},
  );
  const encryption = await generate('ECDH-ES+A256KW', 'enc', { crv: 'P-256' });
  return { signing, encryption, jwks: { keys: [signing.publicJwk] } };
}
