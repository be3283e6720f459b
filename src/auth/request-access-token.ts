// The token endpoint's pipeline: read the form, authenticate the client assertion, narrow scopes, issue, audit.
import { GatewayError, isGatewayError, type PresentedCertificate } from '../kernel/index.js';
import { findRegisteredClient, listClientKeys } from '../partners/index.js';
import type { RegisteredClient } from '../partners/index.js';
import type { AuthDeps } from './auth-deps.js';
import type { AuthSettings } from './auth-settings.js';
import { assertionAlgorithms } from './assertion-algorithms.js';
import { buildTokenAuditEvent, type TokenAttempt } from './audit-token-request.js';
import { checkClientCertificate } from './check-client-certificate.js';
import type { AuthEndpoints } from './endpoints.js';
import { grantScopes, parseScopeParameter, toCeiling } from './grant-scopes.js';
import { issueAccessToken } from './issue-access-token.js';
import { peekAssertion } from './peek-assertion.js';
import { readTokenRequest, type TokenRequest } from './read-token-request.js';
import { rememberJti } from './remember-jti.js';
import { resolveAssertionKey } from './resolve-assertion-key.js';
import { clientAuthFailed, refusalReason, scopeInvalid } from './token-errors.js';
import { verifyClientAssertion } from './verify-client-assertion.js';

/** The successful token response (RFC 6749 §5.1). */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
}

export interface TokenContext {
  readonly deps: AuthDeps;
  readonly settings: AuthSettings;
  readonly endpoints: AuthEndpoints;
}

/** Answers one token request; every answer, granted or refused, is appended to the audit trail. */
export async function requestAccessToken(
  context: TokenContext,
  body: unknown,
  requestId: string,
  /** The client certificate of the request's TLS connection, when it presented one. */
  clientCertificate?: PresentedCertificate,
): Promise<TokenResponse> {
  const { audit } = context.deps.store;
  const attempt: TokenAttempt = { requestId, at: context.deps.clock() };
  let granted: { readonly response: TokenResponse; readonly tokenId: string };
  try {
    granted = await grantToken(context, body, attempt, clientCertificate);
  } catch (error) {
    await audit.append(buildTokenAuditEvent(attempt, { granted: false, reason: reasonOf(error) }));
    throw error;
  }
  // Why audit before answering: a token the trail does not know of must never leave the gateway.
  await audit.append(
    buildTokenAuditEvent(attempt, {
      granted: true,
      tokenId: granted.tokenId,
      scope: granted.response.scope,
    }),
  );
  return granted.response;
}

async function grantToken(
  context: TokenContext,
  body: unknown,
  attempt: TokenAttempt,
  clientCertificate: PresentedCertificate | undefined,
): Promise<{ response: TokenResponse; tokenId: string }> {
  const request = readTokenRequest(body);
  const registered = await authenticateClient(context, request, attempt);
  const { clientCertificates } = context.deps;
  // Why after the assertion: the certificate is checked for a client already authenticated, and
  // binds the token to it (RFC 8705 §3), so a stolen token is useless without the partner's key.
  const thumbprint =
    clientCertificates === undefined
      ? undefined
      : await checkClientCertificate(
          clientCertificate,
          clientCertificates,
          registered,
          () => listClientKeys(context.deps.store.db, registered.partner.id),
          attempt.at,
          (_kind, reason, cause) => clientAuthFailed(reason, cause),
        );
  const scopes = grantedScopes(context, registered, request.scope);
  const issued = await issueAccessToken(
    context.deps.keys.signing,
    context.endpoints,
    registered,
    scopes,
    attempt.at,
    context.settings.accessTokenSeconds,
    thumbprint,
  );
  return {
    tokenId: issued.tokenId,
    response: {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      scope: scopes.join(' '),
    },
  };
}

async function authenticateClient(
  { deps, settings, endpoints }: TokenContext,
  request: TokenRequest,
  attempt: TokenAttempt,
): Promise<RegisteredClient> {
  const peek = peekAssertion(request.assertion);
  attempt.clientId = peek.clientId;
  // Why: a client_id parameter naming another client than the assertion is an attempt at confusion.
  if (request.clientId !== undefined && request.clientId !== peek.clientId) {
    throw clientAuthFailed('client_id parameter differs from assertion iss');
  }
  const registered = await findRegisteredClient(deps.store.db, peek.clientId);
  if (registered === undefined) throw clientAuthFailed('unknown client');
  attempt.partnerId = registered.partner.id;
  const algorithms = assertionAlgorithms(peek.alg, registered.client, settings);
  const key = await resolveAssertionKey(
    peek,
    registered,
    await listClientKeys(deps.store.db, registered.partner.id),
    deps.validateCertificateChain,
    attempt.at,
  );
  const verified = await verifyClientAssertion(request.assertion, key, {
    clientId: registered.client.clientId,
    audiences: [endpoints.tokenEndpoint, endpoints.issuer],
    algorithms,
    now: attempt.at,
    settings,
  });
  // Why after the signature: only a caller holding the partner's key learns anything by timing.
  if (registered.partner.status !== 'active') throw clientAuthFailed('partner suspended');
  await rememberJti(deps.store.kv, registered.client.clientId, verified, attempt.at);
  return registered;
}

function grantedScopes(
  { deps }: TokenContext,
  { partner }: RegisteredClient,
  scope: string | undefined,
): string[] {
  if (scope === undefined) throw scopeInvalid('The parameter scope is required.');
  // Why the role's ceiling from the network policy: a partner's role, not its request, bounds what
  // it may do; SMART lets the server grant less than asked.
  const granted = grantScopes(
    parseScopeParameter(scope),
    toCeiling(deps.policy.scopesFor(partner.role)),
  );
  if (granted.length === 0) {
    throw scopeInvalid('None of the requested scopes may be granted to this client.');
  }
  return granted;
}

function reasonOf(error: unknown): string {
  return isGatewayError(error)
    ? refusalReason(error)
    : refusalReason(new GatewayError('ENLACE_INTERNAL', 'unexpected failure'));
}
