// What a username, a password and a role must look like before an account may hold them.
import { GatewayError, type PersonRole } from '../kernel/index.js';

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;
export const PERSON_ROLES: readonly PersonRole[] = ['operator', 'auditor'];

/** Lower-cases a username; undefined when it is not 3-64 of `a-z 0-9 . _ -` starting with a letter or digit. */
export function toUsername(raw: string): string | undefined {
  const username = raw.toLowerCase();
  return USERNAME_PATTERN.test(username) ? username : undefined;
}

export function checkUsername(raw: string): string {
  const username = toUsername(raw);
  if (username === undefined) {
    throw new GatewayError(
      'ENLACE_PERSON_INVALID',
      'A username is 3 to 64 characters of a-z, 0-9, ".", "_" and "-", starting with a letter or digit.',
      { expression: ['username'] },
    );
  }
  return username;
}

/**
 * NFKC-normalises a password (NIST SP 800-63B §5.1.1.2) so the same phrase typed on another
 * keyboard still matches; length is counted in code points after normalisation.
 */
export function normalizePassword(raw: string): string {
  return raw.normalize('NFKC');
}

export const passwordLength = (password: string): number => Array.from(password).length;

export function checkPassword(raw: string): string {
  const password = normalizePassword(raw);
  const length = passwordLength(password);
  // Why: short passwords fall to offline guessing if the database leaks; the upper bound keeps a
  // single sign-in from costing unbounded hashing input.
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    throw new GatewayError(
      'ENLACE_PERSON_INVALID',
      `A password is ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long.`,
      { expression: ['password'] },
    );
  }
  return password;
}

export function checkRole(raw: string): PersonRole {
  const role = PERSON_ROLES.find((candidate) => candidate === raw);
  if (role === undefined) {
    throw new GatewayError('ENLACE_PERSON_INVALID', 'A role is one of operator, auditor.', {
      expression: ['role'],
    });
  }
  return role;
}
