// Finds the key a client assertion must verify with: a registered JWK by kid, or a validated x5c chain; either only inside its window.
import type { KeyObject } from 'node:crypto';
import { importJWK, type CryptoKey } from 'jose';
import { isKeyActive, type ClientKey, type RegisteredClient } from '../partners/index.js';
import type { CertificateChainValidator } from './auth-deps.js';
import { certificateOwnerProblem } from './check-certificate-owner.js';
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
  /** Every key of the partner's clients, retired ones included. */
  keys: readonly ClientKey[],
  validateChain: CertificateChainValidator | undefined,
  at: Date,
): Promise<VerificationKey> {
  if (peek.x5c !== undefined) return keyFromChain(peek.x5c, registered, keys, validateChain, at);
  return keyFromJwks(peek, registered, keys, at);
}

async function keyFromChain(
  x5c: readonly string[],
  registered: RegisteredClient,
  keys: readonly ClientKey[],
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
  // Why: a valid chain proves a certificate, not a client (see certificateOwnerProblem).
  const problem = certificateOwnerProblem(chain, registered, keys, at);
  if (problem !== undefined) throw clientAuthFailed(problem);
  return chain.leaf.publicKey;
}

async function keyFromJwks(
  peek: AssertionPeek,
  { client }: RegisteredClient,
  keys: readonly ClientKey[],
  at: Date,
): Promise<VerificationKey> {
  if (peek.kid === undefined) throw clientAuthFailed('assertion has neither kid nor x5c');
  // Why exact string equality in memory: the kid is attacker text; it never reaches a path, a
  // query or a pattern, so `../../etc/passwd` or `' OR 1=1 --` simply match nothing.
  const matches = keys.filter(
    (key) => key.kind === 'jwk' && key.clientId === client.clientId && key.kid === peek.kid,
  );
  const [match] = matches;
  if (match?.kind !== 'jwk' || matches.length > 1) throw clientAuthFailed('kid not registered');
  // Why: a rotated key works only until its overlap ends; after that it is refused like a stranger.
  if (!isKeyActive(match, at)) throw clientAuthFailed('key retired');
  const { jwk } = match;
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
