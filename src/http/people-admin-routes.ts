// Operators' API over accounts: end a lockout, disable an account or end its sessions, each audited with who did it.
import type { AccountChange, People } from '../people/index.js';
import { personOf } from './principal-of.js';
import type { RequestContext, Route } from './route.js';

const operator = { kind: 'person', roles: ['operator'] } as const;

const changeOf = (ctx: RequestContext): AccountChange => ({
  username: ctx.params.username ?? '',
  operator: personOf(ctx).username,
  requestId: ctx.requestId,
});

export function peopleAdminRoutes(people: People): Route[] {
  const adminRoute = (
    action: string,
    operationId: string,
    apply: (change: AccountChange) => Promise<Record<string, unknown>>,
  ): Route => ({
    method: 'POST',
    path: `/admin/people/:username/${action}`,
    operationId,
    access: operator,
    produces: ['application/json'],
    handler: async (ctx) => {
      const change = changeOf(ctx);
      return { body: { username: change.username, ...(await apply(change)) } };
    },
  });
  return [
    adminRoute('unlock', 'unlockPerson', async (change) => {
      await people.unlockPerson(change);
      return { unlocked: true };
    }),
    adminRoute('disable', 'disablePerson', async (change) => {
      await people.disablePerson(change);
      return { disabled: true };
    }),
    adminRoute('revoke-sessions', 'revokePersonSessions', async (change) => ({
      sessionsRevoked: await people.revokeSessions(change),
    })),
  ];
}
