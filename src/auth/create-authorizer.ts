// The Authorizer every protected route goes through: Bearer token, live partner status, then scope.
import { createVerificationKeys } from '../crypto/index.js';
import type {
  AccessRequirement,
  AuthorizationContext,
  Authorizer,
  PartnerPrincipal,
  Principal,
} from '../kernel/index.js';
import {
  findRegisteredClient,
  listClientKeys,
  rememberAuthenticatedPartner,
} from '../partners/index.js';
import type { AuthorizerDeps } from './auth-deps.js';
import { toAuthSettings } from './auth-settings.js';
import {
  checkClientCertificate,
  resourceRefusal,
  tokenCertificateMismatch,
} from './check-client-certificate.js';
import {
  markIdentified,
  scopeInsufficient,
  tokenInvalid,
  tokenMissing,
} from './bearer-refusals.js';
import { toAuthEndpoints } from './endpoints.js';
import { grantScopes, parseScopeParameter, toCeiling } from './grant-scopes.js';
import { authorizeAny } from './authorize-any.js';
import { scopesCover } from './scopes-cover.js';
import { verifyAccessToken } from './verify-access-token.js';

/** A gateway token is a few hundred characters; this bound only stops absurd headers early. */
const MAX_TOKEN_CHARS = 8192;
/** RFC 6750 §2.1 b64token, which a compact JWS always is. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

export function createAuthorizer(deps: AuthorizerDeps): Authorizer {
  const settings = toAuthSettings(deps.settings);
  const endpoints = toAuthEndpoints(deps.publicUrl);
  // Imported once per key set, synchronously: the hot path never parses a key.
  const verificationKey = createVerificationKeys(deps.keys);

  const authorize = async (
    authorization: string | undefined,
    requirement: AccessRequirement,
    request?: AuthorizationContext,
  ): Promise<Principal> => {
    if (requirement.kind === 'any') {
      return authorizeAny(requirement.of, (alternative) =>
        authorize(authorization, alternative, request),
      );
    }
    if (requirement.kind === 'person') {
      // Why refuse when absent: a route asking for a person must never fall back to partner tokens.
      if (deps.verifyPersonToken === undefined) throw tokenInvalid('person tokens not configured');
      try {
        return await deps.verifyPersonToken(authorization, requirement);
      } catch (err) {
        // Why check: a valid partner token at an operator or auditor route is a known institution
        // reaching past its role — evidence to record on its own, not anonymous noise.
        const bearer =
          authorization?.length === undefined || authorization.length > MAX_TOKEN_CHARS
            ? undefined
            : BEARER.exec(authorization)?.[1];
        if (bearer !== undefined && err instanceof Error) {
          const partnerToken = await verifyAccessToken(
            bearer,
            verificationKey,
            endpoints,
            deps.clock(),
            settings.clockSkewSeconds,
          ).then(
            () => true,
            () => false,
          );
          if (partnerToken) markIdentified(err);
        }
        throw err;
      }
    }
    if (authorization === undefined || authorization === '') throw tokenMissing();
    const token =
      authorization.length > MAX_TOKEN_CHARS ? undefined : BEARER.exec(authorization)?.[1];
    if (token === undefined) throw tokenInvalid('authorization header is not a Bearer token');
    const now = deps.clock();
    const claims = await verifyAccessToken(
      token,
      verificationKey,
      endpoints,
      now,
      settings.clockSkewSeconds,
    );
    // Why read the registry on every request: suspending a partner must stop its live tokens at
    // once, on every instance, not when they expire.
    const registered = await findRegisteredClient(deps.store.db, claims.clientId);
    if (
      registered === undefined ||
      registered.partner.status !== 'active' ||
      registered.partner.id !== claims.partnerId
    ) {
      throw markIdentified(tokenInvalid('client unknown, moved or partner suspended'));
    }
    // Why after the token and the registry: the connection's certificate must be this partner's,
    // and a bound token is honoured only over a connection with its very certificate (RFC 8705 §3).
    const accepted =
      deps.clientCertificates === undefined
        ? undefined
        : await checkClientCertificate(
            request?.clientCertificate,
            deps.clientCertificates,
            registered,
            () => listClientKeys(deps.store.db, registered.partner.id),
            now,
            resourceRefusal,
          );
    if (claims.certificateThumbprint !== undefined && claims.certificateThumbprint !== accepted) {
      throw tokenCertificateMismatch('token bound to another certificate than the connection has');
    }
    // Why narrow again: if the partner's role or the policy changed since issuance, the token
    // holds no more than the current ceiling allows.
    const scopes = grantScopes(
      parseScopeParameter(claims.scopes.join(' ')),
      toCeiling(deps.policy.scopesFor(registered.partner.role)),
    );
    if (!scopesCover(scopes, requirement.scope)) throw scopeInsufficient(requirement.scope);
    const principal: PartnerPrincipal = {
      kind: 'partner',
      clientId: claims.clientId,
      partnerId: registered.partner.id,
      role: registered.partner.role,
      scopes,
      tokenId: claims.tokenId,
    };
    // So a step later in this request (the sender check) need not read the same row again.
    rememberAuthenticatedPartner(principal, registered.partner);
    return principal;
  };
  return authorize;
}
