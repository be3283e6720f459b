// Public face of people: operator and auditor accounts with password + TOTP sign-in and session tokens.
export { createPeople } from './people-service.js';
export type { People, PeopleOptions } from './people-service.js';
export type { AccountChange } from './change-account.js';
export type { CreatedPerson, NewPerson } from './create-person.js';
export type { MfaChallenge } from './start-sign-in.js';
export type { PersonSession } from './complete-sign-in.js';
export { readCodeStep, readPasswordStep } from './sign-in-requests.js';
export type { CodeStepRequest, PasswordStepRequest } from './sign-in-requests.js';
export { USERNAME_SYSTEM } from './people-audit.js';
export {
  MFA_TOKEN_SECONDS,
  MFA_TOKEN_TYPE,
  SESSION_TOKEN_SECONDS,
  SESSION_TOKEN_TYPE,
} from './person-tokens.js';
export { FAILURE_MEMORY_MS, LOCK_DURATION_MS, MAX_FAILED_ATTEMPTS } from './lockout.js';
export type { PasswordCheck } from './people-context.js';
export { MIN_SECRET_BYTES } from './secret-box.js';
