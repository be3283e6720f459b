// Reads the JSON bodies of the two sign-in steps; the shape is checked before any account is looked at.
import { GatewayError } from '../kernel/index.js';
import { normalizePassword, passwordLength, PASSWORD_MAX_LENGTH } from './person-policy.js';
import { MAX_TOKEN_LENGTH } from './person-tokens.js';

export interface PasswordStepRequest {
  readonly username: string;
  readonly password: string;
}

export interface CodeStepRequest {
  readonly mfaToken: string;
  readonly code: string;
}

const MAX_USERNAME_INPUT = 256;
const MAX_CODE_INPUT = 16;

function stringMember(body: unknown, name: string, maxLength: number): string {
  const value =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)[name]
      : undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new GatewayError('ENLACE_INVALID_PARAMETER', `The JSON body needs a string "${name}".`, {
      expression: [name],
    });
  }
  // Why: bounds are checked before hashing or parsing, and depend on nothing an account holds.
  if (value.length > maxLength) {
    throw new GatewayError('ENLACE_INVALID_PARAMETER', `"${name}" is too long.`, {
      expression: [name],
    });
  }
  return value;
}

/** `{ "username": …, "password": … }`. */
export function readPasswordStep(body: unknown): PasswordStepRequest {
  const username = stringMember(body, 'username', MAX_USERNAME_INPUT);
  // UTF-16 units are at most twice the code points, so this only trims absurd input early.
  const password = normalizePassword(stringMember(body, 'password', PASSWORD_MAX_LENGTH * 2));
  if (passwordLength(password) > PASSWORD_MAX_LENGTH) {
    throw new GatewayError('ENLACE_INVALID_PARAMETER', '"password" is too long.', {
      expression: ['password'],
    });
  }
  return { username, password };
}

/** `{ "mfa_token": …, "code": … }`. */
export function readCodeStep(body: unknown): CodeStepRequest {
  return {
    mfaToken: stringMember(body, 'mfa_token', MAX_TOKEN_LENGTH),
    code: stringMember(body, 'code', MAX_CODE_INPUT),
  };
}
