// Reads the token request's form parameters (RFC 6749 §4.4, RFC 7523 §2.2), refusing what is missing or foreign.
import { clientAuthFailed, grantTypeUnsupported, tokenRequestInvalid } from './token-errors.js';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Generous for an x5c chain of a few certificates, small enough to bound parsing. */
export const MAX_ASSERTION_CHARS = 32_768;
export const MAX_CLIENT_ID_CHARS = 256;
export const MAX_SCOPE_CHARS = 4096;

export interface TokenRequest {
  readonly assertion: string;
  /** The `client_id` parameter, optional in RFC 7523; must name the assertion's issuer when sent. */
  readonly clientId: string | undefined;
  /** Absent or empty scope is refused after authentication (RFC 6749 §3.3: invalid_scope). */
  readonly scope: string | undefined;
}

const required = (form: ReadonlyMap<string, string>, name: string): string => {
  const value = form.get(name);
  if (value === undefined || value === '') {
    throw tokenRequestInvalid(`The parameter ${name} is required.`);
  }
  return value;
};

export function readTokenRequest(body: unknown): TokenRequest {
  if (!(body instanceof Map)) throw tokenRequestInvalid('The token request must be a form.');
  const form = body as ReadonlyMap<string, string>;
  if (required(form, 'grant_type') !== 'client_credentials') throw grantTypeUnsupported();
  // Why: the only client authentication is a signed assertion; any other type is no authentication.
  if (required(form, 'client_assertion_type') !== JWT_BEARER_ASSERTION) {
    throw clientAuthFailed('unsupported client_assertion_type');
  }
  const assertion = required(form, 'client_assertion');
  if (assertion.length > MAX_ASSERTION_CHARS) throw clientAuthFailed('assertion too large');
  const clientId = form.get('client_id');
  if (clientId !== undefined && (clientId === '' || clientId.length > MAX_CLIENT_ID_CHARS)) {
    throw clientAuthFailed('client_id parameter out of bounds');
  }
  const scope = form.get('scope');
  if (scope !== undefined && scope.length > MAX_SCOPE_CHARS) {
    throw tokenRequestInvalid(`The parameter scope exceeds ${MAX_SCOPE_CHARS} characters.`);
  }
  return { assertion, clientId, scope: scope === '' ? undefined : scope };
}
