// Reads the one client credential of an admin request body: `jwks`, `csr` (with `validityDays`) or `certificate`.
import { GatewayError } from '../kernel/index.js';
import type { PartnerCredential } from '../partners/index.js';

export type RequestFields = Readonly<Record<string, unknown>>;

/** The body as named fields; anything but an object has none. */
export const fieldsOf = (body: unknown): RequestFields =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as RequestFields) : {};

export function readText(input: RequestFields, name: string): string {
  const value = input[name];
  if (typeof value !== 'string') {
    throw new GatewayError('ENLACE_PARTNER_INVALID', `${name} is required and must be a string.`, {
      expression: [name],
    });
  }
  return value;
}

export function readCredential(input: RequestFields): PartnerCredential {
  const given = ['jwks', 'csr', 'certificate'].filter((name) => input[name] !== undefined);
  if (given.length !== 1) {
    throw new GatewayError(
      'ENLACE_PARTNER_INVALID',
      'Give exactly one credential: jwks, csr or certificate.',
      { expression: ['jwks', 'csr', 'certificate'] },
    );
  }
  if (input.jwks !== undefined) return { kind: 'jwks', jwks: input.jwks };
  if (input.csr !== undefined) {
    const validityDays = input.validityDays;
    if (validityDays !== undefined && typeof validityDays !== 'number') {
      throw new GatewayError('ENLACE_PARTNER_INVALID', 'validityDays must be a number.', {
        expression: ['validityDays'],
      });
    }
    return {
      kind: 'csr',
      csrPem: readText(input, 'csr'),
      ...(validityDays === undefined ? {} : { validityDays }),
    };
  }
  return { kind: 'certificate', certificatePem: readText(input, 'certificate') };
}

/** `allowedAlgorithms`, when given, must be a list of names; which names is the registry's call. */
export function readAlgorithms(input: RequestFields): readonly string[] | undefined {
  const algorithms = input.allowedAlgorithms;
  if (
    algorithms !== undefined &&
    (!Array.isArray(algorithms) || !algorithms.every((alg) => typeof alg === 'string'))
  ) {
    throw new GatewayError('ENLACE_PARTNER_INVALID', 'allowedAlgorithms must be a list of names.', {
      expression: ['allowedAlgorithms'],
    });
  }
  return algorithms;
}
