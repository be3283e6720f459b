// Wraps an Authorizer so refused credentials at protected routes leave AuditEvents: each identified caller's, and anonymous ones sampled.
import type { AuditEvent } from '@medplum/fhirtypes';
import { auditSubtype, auditType, buildAuditEvent } from '../audit/index.js';
import {
  isGatewayError,
  type AccessRequirement,
  type AuthorizationContext,
  type Authorizer,
  type Clock,
  type GatewayError,
} from '../kernel/index.js';
import type { Store } from '../store/index.js';
import { describeRequirement } from './authorize-any.js';
import { isIdentifiedRefusal } from './bearer-refusals.js';
import { createRefusalSampler, type RefusalSampler } from './refusal-sampler.js';

export interface AuditedAuthorizer extends Authorizer {
  /** Appends the counts of anonymous refusals not yet written (at shutdown). */
  flush(): Promise<void>;
}

function refusalEvent(
  error: GatewayError,
  requirement: AccessRequirement,
  request: AuthorizationContext | undefined,
  at: Date,
): AuditEvent {
  const needs = describeRequirement(requirement);
  return buildAuditEvent({
    type: error.status === 401 ? auditType.userAuthentication : auditType.securityAlert,
    ...(error.status === 401 ? {} : { subtype: auditSubtype.useOfRestrictedFunction }),
    action: 'E',
    outcome: '4',
    outcomeDesc: `${error.code}: ${error.message}`,
    recorded: at,
    agents: [
      {
        display: 'unauthenticated or insufficient caller',
        requestor: true,
        ...(request?.source === undefined ? {} : { network: request.source }),
      },
    ],
    entities: [
      {
        description: `${request === undefined ? 'a protected route' : `${request.method} ${request.route}`} requires ${needs}`,
      },
    ],
    ...(request === undefined ? {} : { requestId: request.requestId }),
  });
}

/** The count of a source's further anonymous refusals in one minute, shaped like its first. */
function summaryEvent(
  bucket: { first: AuditEvent; further: number; windowStart: Date },
  at: Date,
): AuditEvent {
  return buildAuditEvent({
    type: auditType.securityAlert,
    action: 'E',
    outcome: '4',
    outcomeDesc: `${bucket.further} further anonymous refusals from this source in the minute from ${bucket.windowStart.toISOString()}`,
    recorded: at,
    agents: bucket.first.agent.map((agent) => ({
      display: 'unauthenticated callers',
      requestor: true,
      ...(agent.network?.address === undefined ? {} : { network: agent.network.address }),
    })),
    entities: [{ description: 'sampled: anonymous refusals at protected routes, counted' }],
  });
}

/**
 * Why: a stolen, expired or mis-scoped token probing case routes is exactly what an auditor must
 * see; the refusal is recorded with the route pattern and request id, never the token itself.
 * Refusals of a caller the gateway identified are recorded one by one; refusals carrying no
 * credible identity (no token, a malformed or unverifiable one) are sampled per source and minute.
 */
export function auditRefusals(
  inner: Authorizer,
  deps: { readonly store: Pick<Store, 'audit'>; readonly clock: Clock },
): AuditedAuthorizer {
  const sampler: RefusalSampler = createRefusalSampler((bucket) =>
    summaryEvent(bucket, deps.clock()),
  );
  const append = async (events: readonly AuditEvent[]) => {
    for (const event of events) await deps.store.audit.append(event);
  };
  const authorize = async (
    authorization: string | undefined,
    requirement: AccessRequirement,
    request?: AuthorizationContext,
  ) => {
    try {
      return await inner(authorization, requirement, request);
    } catch (err) {
      if (isGatewayError(err) && err.status < 500) {
        const at = deps.clock();
        const event = refusalEvent(err, requirement, request, at);
        if (isIdentifiedRefusal(err)) {
          await deps.store.audit.append(event);
        } else {
          const { record, closed } = sampler.admit(request?.source ?? 'unknown', at, event);
          await append(record ? [...closed, event] : closed);
        }
      }
      throw err;
    }
  };
  return Object.assign(authorize, { flush: () => append(sampler.drain()) });
}
