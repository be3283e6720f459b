// Routes of the closed loop: search, read and vread Tasks and their history, move them on by PATCH, and retrieve a referral as a JWE.
import {
  actorFromPrincipal,
  auditingRefusals,
  describeRefusal,
  type AuditActor,
} from '../audit/index.js';
import {
  buildHistoryBundle,
  buildSearchSet,
  pagingQuery,
  type HistoryVersion,
} from '../fhir/index.js';
import { GatewayError, type PartnerPrincipal } from '../kernel/index.js';
import {
  createPackageForRecipient,
  readTaskSearch,
  retrieveReferralPackage,
  searchTasks,
  TASK_SEARCH_PAGING,
  TASK_SEARCH_PARAM_DOCS,
} from '../referrals/index.js';
import {
  applyTaskChange,
  buildTaskAuditEvent,
  loadVisibleReferral,
  readTaskHistory,
  readTaskPatch,
  readTaskResource,
  readTaskVersion,
  type ReferralRecord,
  type TaskInteraction,
  type TaskVersion,
} from '../referrals/index.js';
import type { UnitOfWork } from '../store/index.js';
import type { Bundle, Task } from '@medplum/fhirtypes';
import { answerRead, answerResourceRead, versionHeaders, versionOf } from './conditional-read.js';
import { answerWrite } from './prefer-return.js';
import type { RequestContext, Route } from './route.js';
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

/**
 * One read of a referral's Task by one of its two parties, in one transaction with its AuditEvent;
 * anyone else gets the 404 of loadVisibleReferral, audited by auditedTask. `read` says what is
 * answered and which entity the AuditEvent names.
 */
function auditedTaskRead<T>(
  deps: TaskRouteDeps,
  ctx: RequestContext,
  interaction: Extract<TaskInteraction, 'read' | 'vread' | 'history'>,
  read: (unit: UnitOfWork, record: ReferralRecord) => Promise<{ value: T; entity: string }>,
): Promise<T> {
  const caller = callerOf(ctx);
  const vid = ctx.params.vid === undefined ? '' : `/_history/${ctx.params.vid.slice(0, 16)}`;
  return auditedTask(deps, caller, interaction, `Task/${idOf(ctx).slice(0, 64)}${vid}`, () =>
    deps.store.transaction(async (unit) => {
      const record = await loadVisibleReferral(unit.db, idOf(ctx), caller.principal.partnerId);
      const { value, entity } = await read(unit, record);
      await unit.audit.append(
        buildTaskAuditEvent({
          interaction,
          actor: caller.actor,
          recorded: deps.clock(),
          entity,
          pseudonym: record.pseudonym,
          requestId: caller.requestId,
        }),
      );
      return value;
    }),
  );
}

/** How each kind of change reached the gateway, as a history entry's `request` and `response`. */
const historyRequest = (
  id: string,
  change: TaskVersion['change'],
): Pick<HistoryVersion<Task>, 'request' | 'status'> => {
  switch (change) {
    case 'create':
    case 'message':
      return { request: { method: 'POST', url: '$process-message' }, status: '200 OK' };
    case 'retrieve':
      return { request: { method: 'GET', url: `Bundle/${id}` }, status: '200 OK' };
    // Why `migrated` reads as a PATCH: kept from before versions were, its door is unknown, and
    // every door changes a Task as a PATCH of it would.
    case 'patch':
    case 'migrated':
      return { request: { method: 'PATCH', url: `Task/${id}` }, status: '200 OK' };
  }
};

function toTaskHistoryBundle(
  id: string,
  versions: readonly TaskVersion[],
  fhirBase: string,
): Bundle<Task> {
  return buildHistoryBundle(
    `${fhirBase}/Task/${id}/_history`,
    `${fhirBase}/Task/${id}`,
    versions.map((version) => ({
      resource: version.task,
      versionId: String(version.version),
      lastUpdated: version.changedAt,
      ...historyRequest(id, version.change),
    })),
  );
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
      vault: deps.consent.vault,
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
        searchParams: TASK_SEARCH_PARAM_DOCS,
        paging: TASK_SEARCH_PAGING,
      },
      handler: async (ctx) => {
        const caller = callerOf(ctx);
        const { search, page } = await auditedTask(deps, caller, 'search', undefined, async () => {
          const search = readTaskSearch(ctx.query);
          const page = await deps.store.transaction(async (unit) => {
            const found = await searchTasks(
              unit.db,
              { vault: deps.vault, clock: deps.clock },
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
          return { search, page };
        });
        const sort = search.order === 'asc' ? '_lastUpdated' : '-_lastUpdated';
        return {
          body: buildSearchSet(
            page.tasks,
            {
              url: `${fhirBase}/Task`,
              query: pagingQuery(ctx.query, { sort, count: search.count }),
              ...(search.cursor === undefined ? {} : { cursor: search.cursor }),
              ...(page.next === undefined ? {} : { next: page.next }),
            },
            fhirBase,
          ),
        };
      },
    },
    {
      method: 'GET',
      path: '/fhir/Task/:id',
      operationId: 'readTask',
      access: { kind: 'partner', scope: 'system/Task.r' },
      fhir: { kind: 'interaction', resource: 'Task', interaction: 'read', profile: TASK_PROFILE },
      handler: async (ctx) => {
        const task = await auditedTaskRead(deps, ctx, 'read', async (_unit, record) => ({
          value: await readTaskResource(deps.vault, record),
          entity: `Task/${record.id}`,
        }));
        return answerResourceRead(ctx, task);
      },
    },
    {
      method: 'GET',
      path: '/fhir/Task/:id/_history',
      operationId: 'historyTask',
      access: { kind: 'partner', scope: 'system/Task.r' },
      fhir: { kind: 'interaction', resource: 'Task', interaction: 'history-instance' },
      handler: async (ctx) => {
        const versions = await auditedTaskRead(deps, ctx, 'history', async (unit, record) => ({
          value: await readTaskHistory(unit, deps.vault, record),
          entity: `Task/${record.id}`,
        }));
        return { body: toTaskHistoryBundle(idOf(ctx), versions, fhirBase) };
      },
    },
    {
      method: 'GET',
      path: '/fhir/Task/:id/_history/:vid',
      operationId: 'vreadTask',
      access: { kind: 'partner', scope: 'system/Task.r' },
      fhir: { kind: 'interaction', resource: 'Task', interaction: 'vread', profile: TASK_PROFILE },
      handler: async (ctx) => {
        const version = await auditedTaskRead(deps, ctx, 'vread', async (unit, record) => {
          const found = await readTaskVersion(unit, deps.vault, record, ctx.params.vid ?? '');
          return { value: found, entity: `Task/${record.id}/_history/${found.version}` };
        });
        return answerResourceRead(ctx, version.task);
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
            applyTaskChange(unit, deps.vault, {
              referralId: idOf(ctx),
              partnerId: caller.principal.partnerId,
              actor: caller.actor,
              change,
              via: 'patch',
              expectedVersion,
              at: deps.clock(),
              requestId: caller.requestId,
            }),
          );
        });
        const version = versionOf(result.task);
        return answerWrite(ctx, {
          status: 200,
          resource: result.task,
          headers: {
            ...versionHeaders(version),
            Location: `${fhirBase}/Task/${result.record.id}/_history/${version.versionId}`,
          },
          outcome: `Task/${result.record.id}/_history/${version.versionId}: ${result.task.status}.`,
        });
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
        const retrieved = await auditedTask(deps, caller, 'retrieve', entity, () => {
          // Why: the gateway never hands out plaintext case data, and a client that did not ask
          // for a JWE by name might store or log what it did not expect.
          if (!acceptsJoseExplicitly(ctx.headers.accept)) {
            throw new GatewayError(
              'ENLACE_NOT_ACCEPTABLE',
              'A referral is only released as a JWE: send Accept: application/jose.',
            );
          }
          return retrieveReferralPackage(
            { store: deps.store, clock: deps.clock, vault: deps.vault, packageForRecipient },
            {
              referralId: idOf(ctx),
              partnerId: caller.principal.partnerId,
              actor: caller.actor,
              requestId: caller.requestId,
            },
          );
        });
        // Why 304 only after the whole retrieval: consent was decided again and the release
        // recorded, exactly as for a 200; only the bytes the recipient already holds are not sent.
        return answerRead(ctx, retrieved.jwe, retrieved, {
          contentType: JOSE,
          headers: { 'Cache-Control': 'no-store' },
        });
      },
    },
  ];
}
