// What every people operation is given: storage, the clock, token signing, the TOTP secret box.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../kernel/index.js';
import type { Store } from '../store/index.js';
import { hashPassword } from './password-hash.js';
import type { PersonTokens } from './person-tokens.js';
import type { SecretBox } from './secret-box.js';

export interface PeopleContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly tokens: PersonTokens;
  readonly secrets: SecretBox;
  /** A hash of a random password with the current parameters, checked against for unknown users. */
  readonly dummyHash: () => Promise<string>;
  /** Compares a password with a stored hash (verifyPassword; injectable so tests can count the work). */
  readonly checkPassword: PasswordCheck;
}

export type PasswordCheck = (password: string, storedHash: string) => Promise<boolean>;

/** Computes the dummy hash once, on first use, so building the service does no hashing. */
export function lazyDummyHash(): () => Promise<string> {
  let hash: Promise<string> | undefined;
  return () => (hash ??= hashPassword(randomBytes(32).toString('base64')));
}
