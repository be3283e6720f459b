// The one refusal of chain validation: a uniform client message, the precise reason kept in `cause`.
import { GatewayError } from '../kernel/index.js';

export const CHAIN_FAILURE_MESSAGE = 'certificate chain validation failed';

/**
 * Why uniform: telling a client which check failed (expired, revoked, wrong anchor…) would turn the
 * gateway into an oracle for probing stolen or forged chains. The reason goes to logs and audit only.
 */
export function chainInvalid(reason: string, cause?: unknown): GatewayError {
  return new GatewayError('ENLACE_CERTIFICATE_INVALID', CHAIN_FAILURE_MESSAGE, {
    cause: new Error(reason, cause === undefined ? undefined : { cause }),
  });
}
