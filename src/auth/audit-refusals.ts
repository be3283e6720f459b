// Wraps an Authorizer so every refused credential at a protected route leaves an AuditEvent.
import { auditSubtype, auditType, buildAuditEvent } from '../audit/index.js';
import { isGatewayError, type Authorizer, type Clock } from '../kernel/index.js';
import type { Store } from '../store/index.js';

/**
 * Why: a stolen, expired or mis-scoped token probing case routes is exactly what an auditor must
 * see; the refusal is recorded with the route pattern and request id, never the token itself.
 */
export function auditRefusals(
  inner: Authorizer,
  deps: { readonly store: Pick<Store, 'audit'>; readonly clock: Clock },
): Authorizer {
  return async (authorization, requirement, request) => {
    try {
      return await inner(authorization, requirement, request);
    } catch (err) {
      if (isGatewayError(err) && err.status < 500) {
        await deps.store.audit.append(
          buildAuditEvent({
            type: err.status === 401 ? auditType.userAuthentication : auditType.securityAlert,
            ...(err.status === 401 ? {} : { subtype: auditSubtype.useOfRestrictedFunction }),
            action: 'E',
            outcome: '4',
            outcomeDesc: `${err.code}: ${err.message}`,
            recorded: deps.clock(),
            agents: [{ display: 'unauthenticated or insufficient caller', requestor: true }],
            entities: [
              {
                description: `${request === undefined ? 'a protected route' : `${request.method} ${request.route}`} requires ${
                  requirement.kind === 'partner' ? requirement.scope : requirement.roles.join('|')
                }`,
              },
            ],
            ...(request === undefined ? {} : { requestId: request.requestId }),
          }),
        );
      }
      throw err;
    }
  };
}
