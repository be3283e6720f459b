// Operators' routes over the delivery outbox: list deliveries (never their content) and requeue a dead one.
import { actorFromPrincipal } from '../audit/index.js';
import { GatewayError, type Principal } from '../kernel/index.js';
import {
  isDeliveryStatus,
  listDeliveries,
  MAX_DELIVERY_LIST,
  retryDelivery,
  type DeliveryFilter,
} from '../referrals/index.js';
import type { RequestContext, Route } from './route.js';
import type { AppServices } from './services.js';

const operator = { kind: 'person', roles: ['operator'] } as const;
const LIST_PARAMETERS = new Set(['status', 'recipient', 'limit']);

function principalOf(ctx: RequestContext): Principal {
  if (ctx.principal === undefined) {
    throw new GatewayError('ENLACE_INTERNAL', 'route without access requirement used a principal');
  }
  return ctx.principal;
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

export function deliveryRoutes(services: Pick<AppServices, 'store' | 'clock'>): Route[] {
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
  ];
}
