// Routes of governed break-the-glass: the partners' FHIR operations and the auditors' review queue.
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { actorFromPrincipal, auditedRead } from '../audit/index.js';
import {
  EMERGENCY_ACCESS_OPERATION,
  EMERGENCY_ACCESS_STOP_OPERATION,
  listGrantsForReview,
  MAX_REVIEW_PAGE,
  OPERATION_DEFINITION_BASE,
  reviewGrant,
  startEmergencyAccess,
  stopEmergencyAccess,
  type EmergencyDeps,
  type GrantRecord,
} from '../consent/emergency/index.js';
import { PSEUDONYM_SYSTEM } from '../consent/types.js';
import { GatewayError } from '../kernel/index.js';
import { partnerOf, personOf } from './principal-of.js';
import type { Route } from './route.js';

const BODY_TYPES = ['application/fhir+json', 'application/json'] as const;
const auditor = { kind: 'person', roles: ['auditor'] } as const;
const DEFAULT_PAGE = 100;

function toParameters(grant: GrantRecord): Parameters {
  const parameter: ParametersParameter[] = [
    { name: 'grant', valueId: grant.id },
    { name: 'patient', valueIdentifier: { system: PSEUDONYM_SYSTEM, value: grant.pseudonym } },
    { name: 'grantedAt', valueInstant: grant.grantedAt.toISOString() },
    { name: 'expiresAt', valueInstant: grant.expiresAt.toISOString() },
  ];
  if (grant.riskLevel !== undefined)
    parameter.push({ name: 'riskLevel', valueCode: grant.riskLevel });
  if (grant.stoppedAt !== undefined) {
    parameter.push({ name: 'stoppedAt', valueInstant: grant.stoppedAt.toISOString() });
  }
  return { resourceType: 'Parameters', parameter };
}

/** A grant as auditors see it: the survivor by pseudonym only, every time and review field. */
export function toReviewView(grant: GrantRecord, now: Date) {
  const status =
    grant.stoppedAt !== undefined
      ? grant.stoppedAt < grant.expiresAt
        ? 'stopped'
        : 'expired'
      : now < grant.expiresAt
        ? 'active'
        : 'expired';
  return {
    id: grant.id,
    survivor: { system: PSEUDONYM_SYSTEM, value: grant.pseudonym },
    organization: grant.organization,
    role: grant.role,
    justification: grant.justification,
    riskLevel: grant.riskLevel ?? null,
    status,
    grantedAt: grant.grantedAt.toISOString(),
    expiresAt: grant.expiresAt.toISOString(),
    stoppedAt: grant.stoppedAt?.toISOString() ?? null,
    reviewedAt: grant.review?.at.toISOString() ?? null,
    reviewedBy: grant.review?.by ?? null,
    reviewOutcome: grant.review?.outcome ?? null,
    reviewNote: grant.review?.note ?? null,
  };
}

function singleQuery(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) {
    throw new GatewayError('ENLACE_INVALID_PARAMETER', `${name} may be given once.`, {
      expression: [name],
    });
  }
  return values[0];
}

function readReviewQuery(query: URLSearchParams): { reviewed?: boolean; limit: number } {
  for (const name of query.keys()) {
    if (!['reviewed', 'limit', '_format'].includes(name)) {
      throw new GatewayError(
        'ENLACE_INVALID_PARAMETER',
        `Unknown parameter ${name.slice(0, 64)}.`,
        {
          expression: [name.slice(0, 64)],
        },
      );
    }
  }
  const reviewed = singleQuery(query, 'reviewed');
  if (reviewed !== undefined && reviewed !== 'true' && reviewed !== 'false') {
    throw new GatewayError('ENLACE_INVALID_PARAMETER', 'reviewed must be true or false.', {
      expression: ['reviewed'],
    });
  }
  const limitText = singleQuery(query, 'limit');
  const limit = limitText === undefined ? DEFAULT_PAGE : Number(limitText);
  if (!/^\d{1,4}$/.test(limitText ?? '1') || limit < 1 || limit > MAX_REVIEW_PAGE) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      `limit must be an integer from 1 to ${MAX_REVIEW_PAGE}.`,
      { expression: ['limit'] },
    );
  }
  return { ...(reviewed === undefined ? {} : { reviewed: reviewed === 'true' }), limit };
}

export function emergencyRoutes(deps: EmergencyDeps): Route[] {
  return [
    {
      method: 'POST',
      path: `/fhir/Consent/$${EMERGENCY_ACCESS_OPERATION}`,
      operationId: 'emergencyAccess',
      access: { kind: 'partner', scope: 'system/Consent.c' },
      consumes: BODY_TYPES,
      fhir: {
        kind: 'operation',
        name: EMERGENCY_ACCESS_OPERATION,
        definition: `${OPERATION_DEFINITION_BASE}/${EMERGENCY_ACCESS_OPERATION}`,
        resource: 'Consent',
      },
      handler: async (ctx) => {
        const result = await startEmergencyAccess(
          { principal: partnerOf(ctx), body: ctx.body, requestId: ctx.requestId },
          deps,
        );
        return { status: result.created ? 201 : 200, body: toParameters(result.grant) };
      },
    },
    {
      method: 'POST',
      path: `/fhir/Consent/$${EMERGENCY_ACCESS_STOP_OPERATION}`,
      operationId: 'emergencyAccessStop',
      access: { kind: 'partner', scope: 'system/Consent.u' },
      consumes: BODY_TYPES,
      fhir: {
        kind: 'operation',
        name: EMERGENCY_ACCESS_STOP_OPERATION,
        definition: `${OPERATION_DEFINITION_BASE}/${EMERGENCY_ACCESS_STOP_OPERATION}`,
        resource: 'Consent',
      },
      handler: async (ctx) => ({
        body: toParameters(
          await stopEmergencyAccess(
            { principal: partnerOf(ctx), body: ctx.body, requestId: ctx.requestId },
            deps,
          ),
        ),
      }),
    },
    {
      method: 'GET',
      path: '/audit/break-glass',
      operationId: 'listBreakGlassGrants',
      access: auditor,
      produces: ['application/json'],
      handler: async (ctx) => {
        const auditorActor = actorFromPrincipal(personOf(ctx));
        // The auditors' own reads of the queue are recorded like anyone's.
        const grants = await auditedRead(
          deps.store,
          {
            interaction: 'search',
            actor: auditorActor,
            description: 'break-the-glass review queue',
            requestId: ctx.requestId,
            clock: deps.clock,
          },
          () => listGrantsForReview(deps.store.db, readReviewQuery(ctx.query)),
        );
        const now = deps.clock();
        return { body: { grants: grants.map((grant) => toReviewView(grant, now)) } };
      },
    },
    {
      method: 'POST',
      path: '/audit/break-glass/:id/review',
      operationId: 'reviewBreakGlassGrant',
      access: auditor,
      consumes: ['application/json'],
      produces: ['application/json'],
      handler: async (ctx) => {
        const grant = await reviewGrant(
          {
            id: ctx.params.id ?? '',
            auditor: personOf(ctx),
            body: ctx.body,
            requestId: ctx.requestId,
          },
          deps,
        );
        return { body: toReviewView(grant, deps.clock()) };
      },
    },
  ];
}
