// Mutual TLS for partners: the connection's certificate must validate to the network's CAs, unrevoked, and be the caller's.
import { createHash } from 'node:crypto';
import { GatewayError, type PresentedCertificate } from '../kernel/index.js';
import type { ClientKey, RegisteredClient } from '../partners/index.js';
import type { CertificateChainValidator, ClientCertificateSettings } from './auth-deps.js';
import { markIdentified } from './bearer-refusals.js';
import { certificateOwnerProblem } from './check-certificate-owner.js';

/** How a refusal is worded where it happens (invalid_client at the token endpoint, 401s elsewhere). */
export type CertificateRefusal = (
  kind: 'required' | 'invalid' | 'foreign',
  reason: string,
  cause?: unknown,
) => GatewayError;

/** RFC 8705 §3.1: the `x5t#S256` confirmation, base64url of the SHA-256 of the certificate's DER. */
export function certificateThumbprint(x5cEntry: string): string {
  return createHash('sha256').update(Buffer.from(x5cEntry, 'base64')).digest('base64url');
}

/**
 * Checks the certificate of the caller's connection and returns its thumbprint, or undefined when
 * none was presented and none is required. Why it re-validates on every call: revocation is read
 * from the database each time, so a certificate revoked on any instance is refused at once.
 */
export async function checkClientCertificate(
  presented: PresentedCertificate | undefined,
  settings: ClientCertificateSettings,
  owner: RegisteredClient,
  keys: () => Promise<readonly ClientKey[]>,
  at: Date,
  refuse: CertificateRefusal,
): Promise<string | undefined> {
  if (presented === undefined) {
    if (settings.mode === 'require') throw refuse('required', 'no client certificate presented');
    return undefined;
  }
  const [leaf] = presented.x5c;
  // Why both checks: the handshake proved the key is held and OpenSSL checked the chain to the CAs
  // it asked for; the PKI adds what OpenSSL cannot know (the registry, revocation, skew policy).
  if (leaf === undefined || !presented.authorized) {
    throw refuse('invalid', 'the TLS handshake did not verify the client certificate');
  }
  let chain: Awaited<ReturnType<CertificateChainValidator>>;
  try {
    chain = await settings.validate(presented.x5c, at);
  } catch (cause) {
    const reason =
      cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : '';
    throw refuse('invalid', `client certificate chain refused ${reason}`.trim(), cause);
  }
  const problem = certificateOwnerProblem(chain, owner, await keys(), at);
  if (problem !== undefined) throw refuse('foreign', `client ${problem}`);
  return certificateThumbprint(leaf);
}

const CHALLENGE = 'Bearer realm="enlace", error="invalid_token"';

/**
 * The refusals at protected routes, each after the token verified (so identified, audited one by
 * one). RFC 8705 §3 asks for 401 invalid_token when the token's binding does not hold.
 */
export const resourceRefusal: CertificateRefusal = (kind, reason, cause) => {
  const options = {
    headers: { 'WWW-Authenticate': CHALLENGE },
    cause: new Error(reason, cause === undefined ? undefined : { cause }),
  };
  if (kind === 'required') {
    return markIdentified(
      new GatewayError(
        'ENLACE_CLIENT_CERTIFICATE_REQUIRED',
        'Partners must connect with a client certificate of the network (mutual TLS).',
        options,
      ),
    );
  }
  if (kind === 'invalid') {
    // One text whatever failed (foreign CA, revoked, expired): no oracle on the registry.
    return markIdentified(
      new GatewayError(
        'ENLACE_CLIENT_CERTIFICATE_INVALID',
        'The client certificate of this connection was refused.',
        options,
      ),
    );
  }
  return markIdentified(tokenCertificateMismatch(reason));
};

export const tokenCertificateMismatch = (reason: string): GatewayError =>
  markIdentified(
    new GatewayError(
      'ENLACE_TOKEN_CERTIFICATE_MISMATCH',
      "The access token does not belong to this connection's client certificate.",
      { headers: { 'WWW-Authenticate': CHALLENGE }, cause: new Error(reason) },
    ),
  );
