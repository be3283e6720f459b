// Operator actions on an account: unlock it after a lockout, disable it, or end its sessions; each audited with the account change.
import type { Kysely } from 'kysely';
import { GatewayError } from '../kernel/index.js';
import type { Database } from '../store/index.js';
import { buildAccountChangeAudit } from './people-audit.js';
import type { PeopleContext } from './people-context.js';
import { checkUsername } from './person-policy.js';
import { clearLock, findPersonByUsername, setPersonStatus } from './person-repository.js';
import { revokeSessionsOf } from './session-repository.js';

export interface AccountChange {
  /** The account to change. */
  readonly username: string;
  /** The operator making the change, recorded in the AuditEvent. */
  readonly operator: string;
  readonly requestId?: string;
}

export async function unlockPerson(ctx: PeopleContext, change: AccountChange): Promise<void> {
  await changeAccount(ctx, change, 'account unlocked and failure count reset', (db, id, now) =>
    clearLock(db, id, now),
  );
}

export async function disablePerson(ctx: PeopleContext, change: AccountChange): Promise<void> {
  await changeAccount(ctx, change, 'account disabled', (db, id, now) =>
    setPersonStatus(db, id, 'disabled', now),
  );
}

/**
 * Ends every session of the account at once (sign-out of every device it signed in on); resolves
 * how many were still live. The person can sign in again; disable the account to stop that too.
 */
export async function revokeSessions(ctx: PeopleContext, change: AccountChange): Promise<number> {
  let revoked = 0;
  await changeAccount(
    ctx,
    change,
    () => `${String(revoked)} session(s) revoked`,
    async (db, id, now) => {
      revoked = await revokeSessionsOf(db, id, now);
    },
  );
  return revoked;
}

type Apply = (db: Kysely<Database>, id: string, now: Date) => Promise<unknown>;

async function changeAccount(
  ctx: PeopleContext,
  change: AccountChange,
  description: string | (() => string),
  apply: Apply,
): Promise<void> {
  const username = checkUsername(change.username);
  const operator = checkUsername(change.operator);
  const now = ctx.clock();
  await ctx.store.transaction(async (unit) => {
    const account = await findPersonByUsername(unit.db, username);
    if (account === undefined) {
      throw new GatewayError('ENLACE_PERSON_NOT_FOUND', `No person account is named ${username}.`, {
        expression: ['username'],
      });
    }
    await apply(unit.db, account.id, now);
    await unit.audit.append(
      buildAccountChangeAudit({
        username,
        actor: operator,
        action: 'U',
        description: typeof description === 'string' ? description : description(),
        recorded: now,
        requestId: change.requestId,
      }),
    );
  });
}
