// Wires the people capability from its dependencies into one service object the HTTP layer and CLI call.
import { createVerificationKeys, type GatewayKey, type GatewayKeys } from '../crypto/index.js';
import type { Clock, PersonPrincipal } from '../kernel/index.js';
import type { Store } from '../store/index.js';
import {
  disablePerson,
  revokeSessions,
  unlockPerson,
  type AccountChange,
} from './change-account.js';
import { completeSignIn, type PersonSession } from './complete-sign-in.js';
import { createPerson, type CreatedPerson, type NewPerson } from './create-person.js';
import { verifyPassword } from './password-hash.js';
import { lazyDummyHash, type PasswordCheck, type PeopleContext } from './people-context.js';
import { createPersonTokens } from './person-tokens.js';
import { createSecretBox } from './secret-box.js';
import type { CodeStepRequest, PasswordStepRequest } from './sign-in-requests.js';
import { signOut } from './sign-out.js';
import { startSignIn, type MfaChallenge } from './start-sign-in.js';
import { verifyPersonToken } from './verify-person-token.js';

export interface PeopleOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** The gateway's ES256 signing key (GatewayKeys.signing). */
  readonly signingKey: GatewayKey;
  /** Every published gateway key, so sessions signed before a key rotation still verify. */
  readonly keys?: GatewayKeys;
  /** `iss` of the tokens: the gateway's public URL. */
  readonly issuer: string;
  /** At least 32 random bytes from configuration; TOTP secrets are sealed under a key derived from it. */
  readonly secretKey: Uint8Array;
  /** Seconds of clock difference tolerated between gateway instances; 5 unless set. */
  readonly clockToleranceSeconds?: number;
  /** Compares a password with its stored hash; verifyPassword (scrypt) unless a test counts calls. */
  readonly checkPassword?: PasswordCheck;
}

export interface People {
  createPerson(input: NewPerson): Promise<CreatedPerson>;
  /** Step one of sign-in (`POST /auth/login`). */
  startSignIn(request: PasswordStepRequest, requestId?: string): Promise<MfaChallenge>;
  /** Step two of sign-in (`POST /auth/totp`). */
  completeSignIn(request: CodeStepRequest, requestId?: string): Promise<PersonSession>;
  /** The bare bearer token (without "Bearer ") of a session; rejects with ENLACE_PERSON_TOKEN_INVALID. */
  verifyPersonToken(token: string): Promise<PersonPrincipal>;
  /** Ends the session the principal's token belongs to (`POST /auth/logout`). */
  signOut(person: PersonPrincipal, requestId?: string): Promise<void>;
  unlockPerson(change: AccountChange): Promise<void>;
  disablePerson(change: AccountChange): Promise<void>;
  /** Ends every live session of the account; resolves how many. */
  revokeSessions(change: AccountChange): Promise<number>;
}

export function createPeople(options: PeopleOptions): People {
  const ctx: PeopleContext = {
    store: options.store,
    clock: options.clock,
    tokens: createPersonTokens({
      signingKey: options.signingKey,
      ...(options.keys === undefined
        ? {}
        : { verificationKeys: createVerificationKeys(options.keys) }),
      issuer: options.issuer,
      clock: options.clock,
      clockToleranceSeconds: options.clockToleranceSeconds ?? 5,
    }),
    secrets: createSecretBox(options.secretKey),
    dummyHash: lazyDummyHash(),
    checkPassword: options.checkPassword ?? verifyPassword,
  };
  return {
    createPerson: (input) => createPerson(ctx, input),
    startSignIn: (request, requestId) => startSignIn(ctx, request, requestId),
    completeSignIn: (request, requestId) => completeSignIn(ctx, request, requestId),
    verifyPersonToken: (token) => verifyPersonToken(ctx, token),
    signOut: (person, requestId) => signOut(ctx, person, requestId),
    unlockPerson: (change) => unlockPerson(ctx, change),
    disablePerson: (change) => disablePerson(ctx, change),
    revokeSessions: (change) => revokeSessions(ctx, change),
  };
}
