// Operators' API over accounts: end a lockout or disable an account, each audited with who did it.
import { GatewayError } from '../kernel/index.js';
import type { People } from '../people/index.js';
import type { RequestContext, Route } from './route.js';

const operator = { kind: 'person', roles: ['operator'] } as const;

function operatorName(ctx: RequestContext): string {
  if (ctx.principal?.kind !== 'person') {
    throw new GatewayError('ENLACE_INTERNAL', 'operator route reached without a person');
  }
  return ctx.principal.username;
}

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
        operator: operatorName(ctx),
        requestId: ctx.requestId,
      };
      if (action === 'unlock') await people.unlockPerson(change);
      else await people.disablePerson(change);
      return { body: { username: change.username, [`${action}d`]: true } };
    },
  }));
}
