// Routes of the closed loop: search and read Tasks, move them on by PATCH, and retrieve a referral as a JWE.
import {
  actorFromPrincipal,
  auditingRefusals,
  describeRefusal,
  type AuditActor,
} from '../audit/index.js';
import { buildSearchSet } from '../fhir/index.js';
import { GatewayError, type PartnerPrincipal } from '../kernel/index.js';
import {
  createPackageForRecipient,
  readTaskSearch,
  retrieveReferral,
  searchTasks,
} from '../referrals/index.js';
import {
  applyTaskChange,
  buildTaskAuditEvent,
  loadVisibleReferral,
  readTaskPatch,
  taskEtag,
  toTaskResource,
  type TaskInteraction,
} from '../referrals/index.js';
import type { Task } from '@medplum/fhirtypes';
import type { RequestContext, Route, RouteResponse } from './route.js';
import type { AppServices } from './services.js';

const JSON_PATCH = 'application/json-patch+json';
const JOSE = 'application/jose';
const TASK_PROFILE = 'https://enlace.example.org/fhir/StructureDefinition/VawReferralTask';
const VERSION_ETAG = /^(?:W\/)?"([1-9]\d{0,8})"$/;

export type TaskRouteDeps = Pick<
  AppServices,
  'store' | 'clock' | 'config' | 'vault' | 'keys' | 'consent'
>;

interface Caller {
  readonly principal: PartnerPrincipal;
  readonly actor: AuditActor;
  readonly requestId: string;
}

/**
 * Runs a Task interaction so that a refusal, including the 404 that hides another institution's
 * referral, leaves an AuditEvent after its transaction rolled back: probing is what auditors look for.
 */
function auditedTask<T>(
  deps: TaskRouteDeps,
  caller: Caller,
  interaction: TaskInteraction,
  entity: string | undefined,
  work: () => Promise<T>,
): Promise<T> {
  return auditingRefusals(
    deps.store,
    (error) =>
      // Why skip consent refusals: the consent gate appends its decision record itself.
      error.code === 'ENLACE_CONSENT_DENIED'
        ? undefined
        : buildTaskAuditEvent({
            interaction,
            actor: caller.actor,
            recorded: deps.clock(),
            ...(entity === undefined ? {} : { entity }),
            refusal: describeRefusal(error),
            requestId: caller.requestId,
          }),
    work,
  );
}

const idOf = (ctx: RequestContext): string => ctx.params.id ?? '';

function callerOf(ctx: RequestContext): Caller {
  if (ctx.principal?.kind !== 'partner') {
    throw new GatewayError('ENLACE_INTERNAL', 'task route reached without a partner principal');
  }
  return {
    principal: ctx.principal,
    actor: actorFromPrincipal(ctx.principal),
    requestId: ctx.requestId,
  };
}

/**
 * If-Match is required: two institutions move the same Task, and a change made without seeing the
 * other's last step (a cancel crossing an acceptance) must be refused, not silently applied.
 */
function readRequiredIfMatch(header: string | string[] | undefined): number {
  if (header === undefined) {
    throw new GatewayError(
      'ENLACE_TASK_PRECONDITION_REQUIRED',
      'If-Match with the Task version ETag (e.g. W/"1") is required to change a Task.',
      { expression: ['If-Match'] },
    );
  }
  const match = typeof header === 'string' ? VERSION_ETAG.exec(header.trim()) : null;
  if (match?.[1] === undefined) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      'If-Match must be one version ETag such as W/"1".',
      { expression: ['If-Match'] },
    );
  }
  return Number(match[1]);
}

/** True only when Accept names application/jose itself: a wildcard never earns case data. */
function acceptsJoseExplicitly(accept: string | string[] | undefined): boolean {
  const text = Array.isArray(accept) ? accept.join(',') : (accept ?? '');
  return text.split(',').some((range) => {
    const [type, ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const zero = parameters.some((parameter) => /^q=0(?:\.0{0,3})?$/.test(parameter));
    return type === JOSE && !zero;
  });
}

function taskResponse(task: Task, version: number): RouteResponse {
  const lastUpdated = task.meta?.lastUpdated;
  return {
    headers: {
      ETag: taskEtag(version),
      ...(lastUpdated === undefined
        ? {}
        : { 'Last-Modified': new Date(lastUpdated).toUTCString() }),
    },
    body: task,
  };
}

export function taskRoutes(deps: TaskRouteDeps): Route[] {
  const fhirBase = `${deps.config.publicUrl}/fhir`;
  const packageForRecipient = createPackageForRecipient({
    vault: deps.vault,
    signingKey: deps.keys.signing,
    gate: {
      decide: deps.consent.decide,
      emergencyGrants: deps.consent.emergencyGrants,
      defaultDecision: deps.consent.defaultDecision,
      dialect: deps.store.dialect,
      clock: deps.clock,
    },
  });
  return [
    {
      method: 'GET',
      path: '/fhir/Task',
      operationId: 'searchTask',
      access: { kind: 'partner', scope: 'system/Task.s' },
      fhir: {
        kind: 'interaction',
        resource: 'Task',
        interaction: 'search-type',
        searchParams: [
          { name: 'owner', type: 'reference', documentation: 'The recipient: Organization/<id>' },
          { name: 'requester', type: 'reference', documentation: 'The sender: Organization/<id>' },
          { name: 'status', type: 'token', documentation: 'FHIR Task.status, comma-separated' },
          {
            name: 'business-status',
            type: 'token',
            documentation: 'Referral status code (referral-status code system), comma-separated',
          },
          {
            name: '_lastUpdated',
            type: 'date',
            documentation: 'ge, gt, le or lt; may appear twice for a range',
          },
        ],
      },
      handler: async (ctx) => {
        const caller = callerOf(ctx);
        const page = await auditedTask(deps, caller, 'search', undefined, () => {
          const search = readTaskSearch(ctx.query);
          return deps.store.transaction(async (unit) => {
            const found = await searchTasks(
              unit.db,
              deps.vault,
              caller.principal.partnerId,
              search,
            );
            await unit.audit.append(
              buildTaskAuditEvent({
                interaction: 'search',
                actor: caller.actor,
                recorded: deps.clock(),
                description: `Task search: ${found.tasks.length} matched`,
                requestId: caller.requestId,
              }),
            );
            return found;
          });
        });
        const base = new URLSearchParams([...ctx.query].filter(([name]) => name !== '_cursor'));
        const selfUrl = `${fhirBase}/Task${ctx.query.size === 0 ? '' : `?${ctx.query.toString()}`}`;
        const bundle = buildSearchSet(page.tasks, selfUrl, fhirBase);
        if (page.next !== undefined) {
          base.set('_cursor', page.next);
          bundle.link = [
            ...(bundle.link ?? []),
            { relation: 'next', url: `${fhirBase}/Task?${base.toString()}` },
          ];
        }
        return { body: bundle };
      },
    },
    {
      method: 'GET',
      path: '/fhir/Task/:id',
      operationId: 'readTask',
      access: { kind: 'partner', scope: 'system/Task.r' },
      fhir: { kind: 'interaction', resource: 'Task', interaction: 'read', profile: TASK_PROFILE },
      handler: async (ctx) => {
        const caller = callerOf(ctx);
        const entity = `Task/${idOf(ctx).slice(0, 64)}`;
        const record = await auditedTask(deps, caller, 'read', entity, () =>
          deps.store.transaction(async (unit) => {
            const found = await loadVisibleReferral(unit.db, idOf(ctx), caller.principal.partnerId);
            await unit.audit.append(
              buildTaskAuditEvent({
                interaction: 'read',
                actor: caller.actor,
                recorded: deps.clock(),
                entity: `Task/${found.id}`,
                pseudonym: found.pseudonym,
                requestId: caller.requestId,
              }),
            );
            return found;
          }),
        );
        return taskResponse(toTaskResource(record), record.taskVersion);
      },
    },
    {
      method: 'PATCH',
      path: '/fhir/Task/:id',
      operationId: 'patchTask',
      access: { kind: 'partner', scope: 'system/Task.u' },
      consumes: [JSON_PATCH],
      fhir: { kind: 'interaction', resource: 'Task', interaction: 'patch' },
      handler: async (ctx) => {
        const caller = callerOf(ctx);
        const entity = `Task/${idOf(ctx).slice(0, 64)}`;
        const result = await auditedTask(deps, caller, 'patch', entity, () => {
          const expectedVersion = readRequiredIfMatch(ctx.headers['if-match']);
          const change = readTaskPatch(ctx.body);
          return deps.store.transaction((unit) =>
            applyTaskChange(unit, {
              referralId: idOf(ctx),
              partnerId: caller.principal.partnerId,
              actor: caller.actor,
              change,
              expectedVersion,
              at: deps.clock(),
              requestId: caller.requestId,
            }),
          );
        });
        return taskResponse(result.task, result.version);
      },
    },
    {
      method: 'GET',
      path: '/fhir/Bundle/:id',
      operationId: 'readReferralBundle',
      access: { kind: 'partner', scope: 'system/Bundle.r' },
      produces: [JOSE],
      fhir: { kind: 'interaction', resource: 'Bundle', interaction: 'read' },
      handler: async (ctx) => {
        const caller = callerOf(ctx);
        const entity = `Bundle/${idOf(ctx).slice(0, 64)}`;
        const jwe = await auditedTask(deps, caller, 'retrieve', entity, () => {
          // Why: the gateway never hands out plaintext case data, and a client that did not ask
          // for a JWE by name might store or log what it did not expect.
          if (!acceptsJoseExplicitly(ctx.headers.accept)) {
            throw new GatewayError(
              'ENLACE_NOT_ACCEPTABLE',
              'A referral is only released as a JWE: send Accept: application/jose.',
            );
          }
          return retrieveReferral(
            { store: deps.store, clock: deps.clock, packageForRecipient },
            {
              referralId: idOf(ctx),
              partnerId: caller.principal.partnerId,
              actor: caller.actor,
              requestId: caller.requestId,
            },
          );
        });
        return { body: jwe, contentType: JOSE, headers: { 'Cache-Control': 'no-store' } };
      },
    },
  ];
}
