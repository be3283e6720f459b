// Delivery routes: operators' outbox (list, requeue), partners' notice inbox ($notices, $acknowledge-notices), the recipient's receipt.
import type { Bundle, Parameters } from '@medplum/fhirtypes';
import {
  actorFromPrincipal,
  auditingRefusals,
  describeRefusal,
  type AuditActor,
} from '../audit/index.js';
import { readCount } from '../fhir/index.js';
import { GatewayError, type PartnerPrincipal, type Principal } from '../kernel/index.js';
import {
  acknowledgeNotices,
  buildNoticeAudit,
  countUnacknowledged,
  buildTaskAuditEvent,
  DEFAULT_NOTICE_COUNT,
  enqueueBreakGlassNotices,
  isDeliveryStatus,
  listDeliveries,
  loadVisibleReferral,
  MAX_ACKNOWLEDGED,
  MAX_DELIVERY_LIST,
  MAX_NOTICE_COUNT,
  openRecipientAcknowledgement,
  readNotices,
  referralNotFound,
  retryDelivery,
  type DeliveryFilter,
  type InboxDeps,
} from '../referrals/index.js';
import type { RequestContext, Route } from './route.js';
import type { AppServices } from './services.js';

const operator = { kind: 'person', roles: ['operator'] } as const;
const LIST_PARAMETERS = new Set(['status', 'recipient', 'limit']);
const INBOX_PARAMETERS = new Set(['_count', '_cursor', '_format']);
const JSON_TYPES = ['application/fhir+json', 'application/json'] as const;
const OPERATION_BASE = 'https://enlace.example.org/fhir/OperationDefinition';
/** A notice id is the delivery's UUID. */
const NOTICE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function principalOf(ctx: RequestContext): Principal {
  if (ctx.principal === undefined) {
    throw new GatewayError('ENLACE_INTERNAL', 'route without access requirement used a principal');
  }
  return ctx.principal;
}

interface Caller {
  readonly principal: PartnerPrincipal;
  readonly actor: AuditActor;
  readonly requestId: string;
}

function partnerOf(ctx: RequestContext): Caller {
  const principal = principalOf(ctx);
  if (principal.kind !== 'partner') {
    throw new GatewayError('ENLACE_INTERNAL', 'notice route reached without a partner principal');
  }
  return { principal, actor: actorFromPrincipal(principal), requestId: ctx.requestId };
}

const invalid = (name: string, text: string): GatewayError =>
  new GatewayError('ENLACE_INVALID_PARAMETER', `Parameter ${name}: ${text}`, {
    expression: [name],
  });

function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw invalid(name, 'give it at most once.');
  return values[0];
}

/** Reads `status`, `recipient` and `limit`; anything else is refused rather than ignored. */
export function readDeliveryFilter(query: URLSearchParams): DeliveryFilter {
  for (const name of query.keys()) {
    if (!LIST_PARAMETERS.has(name)) throw invalid(name.slice(0, 64), 'unknown parameter.');
  }
  const status = single(query, 'status');
  if (status !== undefined && !isDeliveryStatus(status)) {
    throw invalid('status', 'one of pending, delivered, dead.');
  }
  const recipient = single(query, 'recipient');
  if (recipient !== undefined && !/^[a-z0-9][a-z0-9-]{1,62}$/.test(recipient)) {
    throw invalid('recipient', 'a partner id.');
  }
  const limitText = single(query, 'limit');
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (
    limit !== undefined &&
    (!/^[0-9]{1,4}$/.test(limitText ?? '') || limit < 1 || limit > MAX_DELIVERY_LIST)
  ) {
    throw invalid('limit', `an integer from 1 to ${MAX_DELIVERY_LIST}.`);
  }
  return {
    ...(status === undefined ? {} : { status }),
    ...(recipient === undefined ? {} : { recipient }),
    ...(limit === undefined ? {} : { limit }),
  };
}

/** `_count` (0 … 100, default 20; more is served as 100) and `_cursor`; anything else is refused. */
export function readInboxQuery(query: URLSearchParams): {
  readonly count: number;
  readonly cursor?: string;
} {
  for (const name of query.keys()) {
    if (!INBOX_PARAMETERS.has(name)) {
      throw invalid(name.slice(0, 64), 'unknown parameter; supported: _count, _cursor.');
    }
  }
  const count = readCount(single(query, '_count'), {
    defaultCount: DEFAULT_NOTICE_COUNT,
    maxCount: MAX_NOTICE_COUNT,
  });
  const cursor = single(query, '_cursor');
  return { count, ...(cursor === undefined ? {} : { cursor }) };
}

/** The notice ids of an acknowledgement: `Parameters` with 1 to 100 `notice` parameters (valueId). */
export function readAcknowledgement(body: unknown): string[] {
  const refuse = (text: string, expression = 'Parameters'): GatewayError =>
    new GatewayError('ENLACE_INVALID_PARAMETER', text, { expression: [expression] });
  if (
    typeof body !== 'object' ||
    body === null ||
    (body as { resourceType?: unknown }).resourceType !== 'Parameters'
  ) {
    throw refuse('The body must be a FHIR Parameters resource.');
  }
  const parameters = (body as Parameters).parameter;
  if (!Array.isArray(parameters) || parameters.length === 0) {
    throw refuse(
      'Name at least one notice: parameter "notice" with valueId.',
      'Parameters.parameter',
    );
  }
  if (parameters.length > MAX_ACKNOWLEDGED) {
    throw refuse(
      `At most ${MAX_ACKNOWLEDGED} notices are acknowledged at once.`,
      'Parameters.parameter',
    );
  }
  return parameters.map((parameter: unknown, index) => {
    const at = `Parameters.parameter[${index}]`;
    const { name, valueId } = (parameter ?? {}) as { name?: unknown; valueId?: unknown };
    if (name !== 'notice') throw refuse('Every parameter is named "notice".', `${at}.name`);
    if (typeof valueId !== 'string' || !NOTICE_ID.test(valueId)) {
      throw refuse("valueId must be a notice's id (its Bundle.id).", `${at}.valueId`);
    }
    return valueId;
  });
}

export type DeliveryRouteDeps = Pick<AppServices, 'store' | 'clock' | 'vault' | 'keys' | 'config'>;

export function deliveryRoutes(services: DeliveryRouteDeps): Route[] {
  const fhirBase = `${services.config.publicUrl}/fhir`;
  const inbox: InboxDeps = {
    vault: services.vault,
    signingKey: services.keys.signing,
    publicUrl: services.config.publicUrl,
    clock: services.clock,
  };
  /** A refusal on an inbox route leaves its AuditEvent after its transaction rolled back. */
  const auditedNotices = <T>(
    caller: Caller,
    interaction: 'read' | 'acknowledge',
    description: string,
    work: () => Promise<T>,
  ): Promise<T> =>
    auditingRefusals(
      services.store,
      (error) =>
        buildNoticeAudit({
          interaction,
          actor: caller.actor,
          recorded: services.clock(),
          notices: [],
          description,
          refusal: describeRefusal(error),
          requestId: caller.requestId,
        }),
      work,
    );
  return [
    {
      method: 'GET',
      path: '/admin/deliveries',
      operationId: 'listDeliveries',
      access: operator,
      produces: ['application/json'],
      handler: async (ctx) => ({
        body: { deliveries: await listDeliveries(services.store, readDeliveryFilter(ctx.query)) },
      }),
    },
    {
      method: 'POST',
      path: '/admin/deliveries/:id/retry',
      operationId: 'retryDelivery',
      access: operator,
      produces: ['application/json'],
      handler: async (ctx) => ({
        body: await retryDelivery(
          ctx.params.id ?? '',
          actorFromPrincipal(principalOf(ctx)),
          services,
          ctx.requestId,
        ),
      }),
    },
    {
      method: 'GET',
      path: '/fhir/$notices',
      operationId: 'readNotices',
      access: { kind: 'partner', scope: 'system/Bundle.r' },
      fhir: { kind: 'operation', name: 'notices', definition: `${OPERATION_BASE}/notices` },
      handler: async (ctx) => {
        const caller = partnerOf(ctx);
        const partnerId = caller.principal.partnerId;
        const page = await auditedNotices(caller, 'read', '$notices', async () => {
          const query = readInboxQuery(ctx.query);
          const at = services.clock();
          // Why here too: a break-the-glass notice owed since the worker's last pass is in the
          // inbox the moment it is asked for, not a poll later.
          await enqueueBreakGlassNotices(services.store.db, at, services.vault);
          return services.store.transaction(async (unit) => {
            const found = await readNotices(unit.db, inbox, partnerId, query, at);
            await unit.audit.append(
              buildNoticeAudit({
                interaction: 'read',
                actor: caller.actor,
                recorded: at,
                notices: found.notices,
                description: `$notices: ${found.notices.length} of ${found.total} unacknowledged returned`,
                requestId: caller.requestId,
              }),
            );
            return found;
          });
        });
        const kept = new URLSearchParams([...ctx.query].filter(([name]) => name !== '_cursor'));
        const link = (cursor?: string): string => {
          const query = new URLSearchParams(kept);
          if (cursor !== undefined) query.set('_cursor', cursor);
          const text = query.toString();
          return `${fhirBase}/$notices${text === '' ? '' : `?${text}`}`;
        };
        const cursor = ctx.query.get('_cursor') ?? undefined;
        const bundle: Bundle = {
          resourceType: 'Bundle',
          type: 'searchset',
          total: page.total,
          link: [
            { relation: 'self', url: link(cursor) },
            ...(page.next === undefined ? [] : [{ relation: 'next', url: link(page.next) }]),
          ],
          ...(page.notices.length === 0
            ? {}
            : {
                entry: page.notices.map((notice) => ({
                  fullUrl: `urn:uuid:${notice.id}`,
                  resource: notice.message,
                  search: { mode: 'match' as const },
                })),
              }),
        };
        return { body: bundle, headers: { 'Cache-Control': 'no-store' } };
      },
    },
    {
      method: 'POST',
      path: '/fhir/$acknowledge-notices',
      operationId: 'acknowledgeNotices',
      // Why more than read: acknowledging removes notices from the inbox, which a client that may
      // only read (a monitor) must not do to the system that processes them.
      access: { kind: 'partner', scope: 'system/Bundle.c' },
      consumes: JSON_TYPES,
      fhir: {
        kind: 'operation',
        name: 'acknowledge-notices',
        definition: `${OPERATION_BASE}/acknowledge-notices`,
      },
      handler: async (ctx) => {
        const caller = partnerOf(ctx);
        const partnerId = caller.principal.partnerId;
        const result = await auditedNotices(caller, 'acknowledge', '$acknowledge-notices', () => {
          const ids = readAcknowledgement(ctx.body);
          const at = services.clock();
          return services.store.transaction(async (unit) => {
            const acknowledged = await acknowledgeNotices(unit.db, partnerId, ids, at);
            const remaining = await countUnacknowledged(unit.db, partnerId);
            const newly = acknowledged.filter((notice) => notice.newly).length;
            await unit.audit.append(
              buildNoticeAudit({
                interaction: 'acknowledge',
                actor: caller.actor,
                recorded: at,
                notices: acknowledged.map((notice) => ({
                  id: notice.id,
                  kind: notice.kind,
                  referralId: notice.referralId,
                })),
                description: `$acknowledge-notices: ${newly} acknowledged, ${acknowledged.length - newly} already`,
                requestId: caller.requestId,
              }),
            );
            return { newly, remaining };
          });
        });
        const answer: Parameters = {
          resourceType: 'Parameters',
          parameter: [
            { name: 'acknowledged', valueInteger: result.newly },
            { name: 'remaining', valueInteger: result.remaining },
          ],
        };
        return { body: answer, headers: { 'Cache-Control': 'no-store' } };
      },
    },
    {
      method: 'GET',
      path: '/fhir/Task/:id/$acknowledgement',
      operationId: 'readRecipientAcknowledgement',
      access: { kind: 'partner', scope: 'system/Bundle.r' },
      fhir: {
        kind: 'operation',
        name: 'acknowledgement',
        definition: `${OPERATION_BASE}/Task-acknowledgement`,
        resource: 'Task',
      },
      handler: async (ctx) => {
        const caller = partnerOf(ctx);
        const id = ctx.params.id ?? '';
        const entity = `Task/${id.slice(0, 64)}`;
        const receipt = await auditingRefusals(
          services.store,
          (error) =>
            buildTaskAuditEvent({
              interaction: 'read',
              actor: caller.actor,
              recorded: services.clock(),
              entity,
              description: "the recipient's acknowledgement",
              refusal: describeRefusal(error),
              requestId: caller.requestId,
            }),
          () =>
            services.store.transaction(async (unit) => {
              const record = await loadVisibleReferral(unit.db, id, caller.principal.partnerId);
              // Why the sender only: the receipt is the sender's proof, and the recipient holds
              // what it signed; to anyone else the referral does not exist.
              if (record.sender !== caller.principal.partnerId) throw referralNotFound(id);
              const stored = await openRecipientAcknowledgement(services.vault, record);
              if (stored === undefined) {
                throw new GatewayError(
                  'ENLACE_RESOURCE_NOT_FOUND',
                  'The recipient has not acknowledged this referral yet.',
                );
              }
              await unit.audit.append(
                buildTaskAuditEvent({
                  interaction: 'read',
                  actor: caller.actor,
                  recorded: services.clock(),
                  entity: `Task/${record.id}`,
                  description: "the recipient's acknowledgement",
                  pseudonym: record.pseudonym,
                  requestId: caller.requestId,
                }),
              );
              return stored;
            }),
        );
        return { body: receipt, headers: { 'Cache-Control': 'no-store' } };
      },
    },
  ];
}
