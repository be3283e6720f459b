// Routes of person sign-in: POST /auth/login (password) then POST /auth/totp (code) for a session token; POST /auth/logout ends it.
import { JSON_TYPE } from '../fhir/index.js';
import { readCodeStep, readPasswordStep, type People } from '../people/index.js';
import { personOf } from './principal-of.js';
import type { Route } from './route.js';

export function peopleRoutes(people: People): Route[] {
  return [
    {
      method: 'POST',
      path: '/auth/login',
      operationId: 'signInWithPassword',
      consumes: [JSON_TYPE],
      produces: [JSON_TYPE],
      handler: async (ctx) => {
        const challenge = await people.startSignIn(readPasswordStep(ctx.body), ctx.requestId);
        return {
          body: { mfa_token: challenge.mfaToken, expires_in: challenge.expiresIn },
          headers: { Pragma: 'no-cache' },
        };
      },
    },
    {
      method: 'POST',
      path: '/auth/totp',
      operationId: 'signInWithTotp',
      consumes: [JSON_TYPE],
      produces: [JSON_TYPE],
      handler: async (ctx) => {
        const session = await people.completeSignIn(readCodeStep(ctx.body), ctx.requestId);
        return {
          body: {
            access_token: session.accessToken,
            token_type: session.tokenType,
            expires_in: session.expiresIn,
            role: session.role,
          },
          headers: { Pragma: 'no-cache' },
        };
      },
    },
    {
      method: 'POST',
      path: '/auth/logout',
      operationId: 'signOut',
      access: { kind: 'person', roles: ['operator', 'auditor'] },
      produces: [JSON_TYPE],
      handler: async (ctx) => {
        await people.signOut(personOf(ctx), ctx.requestId);
        return { status: 204, body: undefined };
      },
    },
  ];
}
