// Adapts the people module's session verification to the Authorizer's person requirements.
import { GatewayError, type PersonPrincipal } from '../kernel/index.js';
import type { PersonRequirement, PersonTokenVerifier } from './auth-deps.js';
import { tokenInvalid, tokenMissing } from './bearer-refusals.js';

const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/** Builds the verifier from `verify(bareToken)`; a valid session of the wrong role answers 403. */
export function personVerifier(
  verify: (token: string) => Promise<PersonPrincipal>,
): PersonTokenVerifier {
  return async (authorization: string | undefined, requirement: PersonRequirement) => {
    if (authorization === undefined || authorization === '') throw tokenMissing();
    const token = authorization.length > 8192 ? undefined : BEARER.exec(authorization)?.[1];
    if (token === undefined) throw tokenInvalid('authorization header is not a Bearer token');
    const principal = await verify(token);
    // Why: an auditor's session must not reach operator routes, nor an operator's the audit queue.
    if (!requirement.roles.includes(principal.role)) {
      throw new GatewayError(
        'ENLACE_ROLE_INSUFFICIENT',
        `This route is for ${requirement.roles.join(' or ')} accounts.`,
      );
    }
    return principal;
  };
}
