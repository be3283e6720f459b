// Creates an operator or auditor account and returns the TOTP enrolment URI to show once.
import { randomUUID } from 'node:crypto';
import { GatewayError, type PersonRole } from '../kernel/index.js';
import { hashPassword } from './password-hash.js';
import { buildAccountChangeAudit } from './people-audit.js';
import type { PeopleContext } from './people-context.js';
import { checkPassword, checkRole, checkUsername, toUsername } from './person-policy.js';
import { insertPerson } from './person-repository.js';
import { buildEnrolmentUri, generateTotpSecret } from './totp.js';

export interface NewPerson {
  readonly username: string;
  /** `operator` or `auditor`. */
  readonly role: string;
  readonly password: string;
  /** The operator who creates the account, for the audit record; absent when run by the CLI. */
  readonly createdBy?: string;
}

export interface CreatedPerson {
  readonly id: string;
  readonly username: string;
  readonly role: PersonRole;
  /** `otpauth://totp/Enlace:<username>?secret=…`: show once for the person's authenticator app. */
  readonly enrolmentUri: string;
}

export async function createPerson(ctx: PeopleContext, input: NewPerson): Promise<CreatedPerson> {
  const username = checkUsername(input.username);
  const role = checkRole(input.role);
  const password = checkPassword(input.password);
  const createdBy = input.createdBy === undefined ? undefined : toUsername(input.createdBy);
  if (input.createdBy !== undefined && createdBy === undefined) {
    throw new GatewayError('ENLACE_PERSON_INVALID', 'createdBy must be an operator username.', {
      expression: ['createdBy'],
    });
  }
  const id = randomUUID();
  const secret = generateTotpSecret();
  const passwordHash = await hashPassword(password);
  const now = ctx.clock();
  await ctx.store.transaction(async (unit) => {
    const inserted = await insertPerson(unit.db, {
      id,
      username,
      role,
      status: 'enabled',
      password_hash: passwordHash,
      // Why: the TOTP secret is a second factor only while the database alone cannot reveal it.
      totp_secret: ctx.secrets.seal(secret, id),
      last_totp_step: null,
      failed_attempts: 0,
      locked_until: null,
      last_failed_at: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    });
    if (!inserted) {
      throw new GatewayError('ENLACE_PERSON_EXISTS', `The username ${username} is already taken.`, {
        expression: ['username'],
      });
    }
    await unit.audit.append(
      buildAccountChangeAudit({
        username,
        actor: createdBy,
        action: 'C',
        description: `${role} account created`,
        recorded: now,
      }),
    );
  });
  return { id, username, role, enrolmentUri: buildEnrolmentUri(username, secret) };
}
