// Sign-out: a person ends the session whose token they present; the token is refused from then on, everywhere.
import type { PersonPrincipal } from '../kernel/index.js';
import { buildSignOutAudit } from './people-audit.js';
import type { PeopleContext } from './people-context.js';
import { revokeSession } from './session-repository.js';
import { personTokenInvalid } from './sign-in-errors.js';

export async function signOut(
  ctx: PeopleContext,
  person: PersonPrincipal,
  requestId?: string,
): Promise<void> {
  const now = ctx.clock();
  await ctx.store.transaction(async (unit) => {
    // Why re-checked inside the write: a session ended meanwhile (another sign-out, an operator's
    // revocation) answers as any ended session does, and is not recorded twice.
    if (!(await revokeSession(unit.db, person.tokenId, person.userId, now))) {
      throw personTokenInvalid(new Error('session already ended'));
    }
    await unit.audit.append(
      buildSignOutAudit({ username: person.username, recorded: now, requestId }),
    );
  });
}
