// The partner row the access-token check read for a request, kept with that request's principal.
import type { PartnerPrincipal } from '../kernel/index.js';
import type { Partner } from './partner.js';

// Why a WeakMap keyed by the principal object: the authorizer builds one principal per request, so
// the row lives exactly as long as the request, is never serialised with the principal, and a
// principal the authorizer did not build (tests, internal callers) simply has none.
const readByAuthorizer = new WeakMap<PartnerPrincipal, Partner>();

/** Records the live partner row the authorizer checked (active, same id) for this principal. */
export function rememberAuthenticatedPartner(principal: PartnerPrincipal, partner: Partner): void {
  readByAuthorizer.set(principal, partner);
}

/** The row read while authenticating this very request, or undefined if none was. */
export function authenticatedPartner(principal: PartnerPrincipal): Partner | undefined {
  return readByAuthorizer.get(principal);
}
