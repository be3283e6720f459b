// The one refusal of a malformed search: ENLACE_INVALID_PARAMETER naming the parameter, never echoing its value.
import { GatewayError } from '../../kernel/index.js';

/**
 * Why never the value: `patient:identifier` carries her national id, and a message reaches the
 * client, the log and the refusal's AuditEvent; the parameter name and the expected form suffice.
 */
export const invalidParameter = (name: string, what: string): GatewayError =>
  new GatewayError('ENLACE_INVALID_PARAMETER', `${name.slice(0, 64)} ${what}.`, {
    expression: [name.slice(0, 64)],
  });
