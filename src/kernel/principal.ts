// Who is calling: a partner system (SMART Backend Services token) or a person (operator, auditor).
import type { PresentedCertificate } from './client-certificate.js';

export type PersonRole = 'operator' | 'auditor';

export interface PartnerPrincipal {
  readonly kind: 'partner';
  readonly clientId: string;
  readonly partnerId: string;
  /** The partner's organization role code (police, shelter, …). */
  readonly role: string;
  /** Granted SMART v2 scopes, e.g. `system/Task.rs`. */
  readonly scopes: readonly string[];
  /** The access token's `jti`, for audit records. */
  readonly tokenId: string;
}

export interface PersonPrincipal {
  readonly kind: 'person';
  readonly userId: string;
  readonly username: string;
  readonly role: PersonRole;
  readonly tokenId: string;
}

export type Principal = PartnerPrincipal | PersonPrincipal;

/** What a route demands of its caller; `any` is met by a caller meeting one of its alternatives. */
export type AccessRequirement =
  | { readonly kind: 'partner'; readonly scope: string }
  | { readonly kind: 'person'; readonly roles: readonly PersonRole[] }
  | { readonly kind: 'any'; readonly of: readonly AccessRequirement[] };

/**
 * Turns an Authorization header into a principal that meets the requirement, or throws a
 * GatewayError: 401 (with WWW-Authenticate) for a missing or bad token, 403 for too little.
 */
export type Authorizer = (
  authorization: string | undefined,
  requirement: AccessRequirement,
  request?: AuthorizationContext,
) => Promise<Principal>;

/** Where the request came in, so a refusal can be audited with its route and request id. */
export interface AuthorizationContext {
  readonly requestId: string;
  readonly method: string;
  /** The route pattern, e.g. `/fhir/Organization/:id`; never the URL with its values. */
  readonly route: string;
  /** The peer's network address, to count anonymous refusals per source. */
  readonly source?: string;
  /** The client certificate of the request's TLS connection, when it presented one. */
  readonly clientCertificate?: PresentedCertificate;
}
