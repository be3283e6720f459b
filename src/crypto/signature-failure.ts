// The one answer to any failed signature check: uniform code and text, the reason kept only in `cause`.
import { GatewayError, isGatewayError } from '../kernel/index.js';

export const SIGNATURE_FAILED_MESSAGE = 'signature verification failed';

/**
 * Why uniform: telling a sender which check failed (header, key, bytes) would let an attacker probe
 * the verifier one property at a time. 400 with issue `security`: the client submitted a message
 * whose signature does not hold, after authenticating (401 would wrongly suggest re-authenticating).
 */
export function signatureFailure(cause: unknown, expression: readonly string[] = []): GatewayError {
  return new GatewayError('ENLACE_SIGNATURE_INVALID', SIGNATURE_FAILED_MESSAGE, {
    cause,
    expression,
  });
}

/** Failures that are the gateway's own (a database down while resolving a key) are not the client's. */
export const isServerFault = (err: unknown): boolean => isGatewayError(err) && err.status >= 500;
