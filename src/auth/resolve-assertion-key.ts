// Finds the key a client assertion must verify with: a registered JWKS entry by kid, or a validated x5c chain.
import type { KeyObject } from 'node:crypto';
import { importJWK, type CryptoKey } from 'jose';
import type { RegisteredClient } from '../partners/index.js';
import type { CertificateChainValidator } from './auth-deps.js';
import type { AssertionPeek } from './peek-assertion.js';
import { toPublicJwk } from './public-jwk.js';
import { clientAuthFailed } from './token-errors.js';

export type VerificationKey = KeyObject | CryptoKey;

/**
 * Why only these two sources: `jwk`, `jku` and `x5u` headers name keys the caller chose. The
 * gateway never reads them and never fetches a key from a URL; it trusts only what an operator
 * registered or what chains to a configured trust anchor.
 */
export async function resolveAssertionKey(
  peek: AssertionPeek,
  registered: RegisteredClient,
  validateChain: CertificateChainValidator | undefined,
  at: Date,
): Promise<VerificationKey> {
  if (peek.x5c !== undefined) return keyFromChain(peek.x5c, registered, validateChain, at);
  return keyFromJwks(peek, registered);
}

async function keyFromChain(
  x5c: readonly string[],
  { client, partner }: RegisteredClient,
  validateChain: CertificateChainValidator | undefined,
  at: Date,
): Promise<VerificationKey> {
  if (validateChain === undefined) throw clientAuthFailed('x5c presented but no PKI configured');
  let chain: Awaited<ReturnType<CertificateChainValidator>>;
  try {
    chain = await validateChain(x5c, at);
  } catch (cause) {
    const reason =
      cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : '';
    throw clientAuthFailed(`certificate chain refused ${reason}`.trim(), cause);
  }
  // Why: a valid chain proves a certificate, not a client; it must be bound to THIS partner, by
  // registered fingerprint or by the partner id the gateway's CA wrote into it.
  const fingerprint = chain.fingerprint256.toUpperCase();
  const bound =
    client.certificateFingerprints.some((known) => known.toUpperCase() === fingerprint) ||
    (chain.partnerId !== undefined && chain.partnerId === partner.id);
  if (!bound) throw clientAuthFailed('certificate belongs to another partner');
  return chain.leaf.publicKey;
}

async function keyFromJwks(
  peek: AssertionPeek,
  { client }: RegisteredClient,
): Promise<VerificationKey> {
  if (peek.kid === undefined) throw clientAuthFailed('assertion has neither kid nor x5c');
  // Why exact string equality in memory: the kid is attacker text; it never reaches a path, a
  // query or a pattern, so `../../etc/passwd` or `' OR 1=1 --` simply match nothing.
  const matches = (client.jwks?.keys ?? []).filter((jwk) => jwk.kid === peek.kid);
  const [jwk] = matches;
  if (jwk === undefined || matches.length > 1) throw clientAuthFailed('kid not registered');
  if (jwk.use !== undefined && jwk.use !== 'sig') throw clientAuthFailed('key not for signing');
  // Why: a key registered for one algorithm must not be reused under another (RFC 7517 §4.4).
  if (jwk.alg !== undefined && jwk.alg !== peek.alg) throw clientAuthFailed('key alg differs');
  try {
    const key = await importJWK(toPublicJwk(jwk), peek.alg);
    if (key instanceof Uint8Array) throw new Error('symmetric key');
    return key;
  } catch (cause) {
    throw clientAuthFailed('registered key unusable for alg', cause);
  }
}
