// Refusals at protected routes, with the RFC 6750 WWW-Authenticate challenge each one requires.
import { GatewayError } from '../kernel/index.js';

const REALM = 'Bearer realm="enlace"';

/** RFC 6750 §3.1: a request without credentials gets the bare challenge, no error code. */
export const tokenMissing = (): GatewayError =>
  new GatewayError('ENLACE_TOKEN_INVALID', 'This route requires a Bearer access token.', {
    headers: { 'WWW-Authenticate': REALM },
  });

/** One text for every bad token: which check failed is not the caller's business. */
export const tokenInvalid = (reason: string, cause?: unknown): GatewayError =>
  new GatewayError('ENLACE_TOKEN_INVALID', 'The access token is invalid or expired.', {
    headers: { 'WWW-Authenticate': `${REALM}, error="invalid_token"` },
    cause: new Error(reason, cause === undefined ? undefined : { cause }),
  });

export const scopeInsufficient = (required: string): GatewayError =>
  new GatewayError('ENLACE_SCOPE_INSUFFICIENT', `This route requires the scope ${required}.`, {
    headers: {
      'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${required}"`,
    },
  });

const identified = new WeakSet<object>();

/**
 * Marks a 401 given after the token verified (a suspended partner): the caller is known, so the
 * refusal is recorded on its own rather than sampled with anonymous noise.
 */
export function markIdentified<T extends object>(error: T): T {
  identified.add(error);
  return error;
}

/** Whether a refusal names a caller the gateway could identify (403s always do; see markIdentified). */
export const isIdentifiedRefusal = (error: { readonly status: number }): boolean =>
  error.status === 403 || identified.has(error);
