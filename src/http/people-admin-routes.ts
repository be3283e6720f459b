// Operators' API over accounts: end a lockout or disable an account, each audited with who did it.
import type { People } from '../people/index.js';
import { personOf } from './principal-of.js';
import type { Route } from './route.js';

const operator = { kind: 'person', roles: ['operator'] } as const;

export function peopleAdminRoutes(people: People): Route[] {
  return (['unlock', 'disable'] as const).map((action): Route => ({
    method: 'POST',
    path: `/admin/people/:username/${action}`,
    operationId: `${action}Person`,
    access: operator,
    produces: ['application/json'],
    handler: async (ctx) => {
      const change = {
        username: ctx.params.username ?? '',
        operator: personOf(ctx).username,
        requestId: ctx.requestId,
      };
      if (action === 'unlock') await people.unlockPerson(change);
      else await people.disablePerson(change);
      return { body: { username: change.username, [`${action}d`]: true } };
    },
  }));
}
