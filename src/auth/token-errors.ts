// The token endpoint's refusals: one uniform invalid_client, the precise reason kept for audit only.
import { GatewayError } from '../kernel/index.js';

/** The only text a client sees when authentication fails, whatever the reason. */
export const CLIENT_AUTH_FAILED = 'client authentication failed';

/**
 * Why uniform: saying which check failed (unknown client, wrong kid, bad signature, replay,
 * suspension) would let a caller probe the registry and forge assertions step by step.
 */
export function clientAuthFailed(reason: string, cause?: unknown): GatewayError {
  return new GatewayError('ENLACE_CLIENT_AUTH_FAILED', CLIENT_AUTH_FAILED, {
    cause: new Error(reason, cause === undefined ? undefined : { cause }),
  });
}

export const tokenRequestInvalid = (message: string): GatewayError =>
  new GatewayError('ENLACE_TOKEN_REQUEST_INVALID', message);

export const grantTypeUnsupported = (): GatewayError =>
  new GatewayError(
    'ENLACE_GRANT_TYPE_UNSUPPORTED',
    'Only grant_type=client_credentials is supported.',
  );

export const scopeInvalid = (message: string): GatewayError =>
  new GatewayError('ENLACE_SCOPE_INVALID', message);

/** What the audit record says went wrong: the internal reason for authentication failures. */
export function refusalReason(error: GatewayError): string {
  const cause: unknown = error.cause;
  const detail =
    error.code === 'ENLACE_CLIENT_AUTH_FAILED' && cause instanceof Error
      ? cause.message
      : error.message;
  return `${error.code}: ${detail}`;
}
