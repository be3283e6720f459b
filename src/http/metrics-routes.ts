// GET /metrics: the Prometheus exposition, off unless configured, and then only for the scraper's bearer token.
import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../kernel/index.js';
import { METRICS_CONTENT_TYPE } from '../observability/index.js';
import type { Route } from './route.js';

/** What the route negotiates; it answers prom-client's exact content type, which adds the charset. */
const EXPOSITION_TYPE = 'text/plain; version=0.0.4';
const CHALLENGE = 'Bearer realm="enlace-metrics"';

export interface MetricsRouteDeps {
  /** The token ENLACE_METRICS_TOKEN configured; undefined when metrics are off. */
  readonly token: string | undefined;
  /** One scrape; undefined when metrics are off. */
  readonly scrape: (() => Promise<string>) | undefined;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Why digests compared with timingSafeEqual: equal lengths whatever was sent, so neither the
 * comparison's time nor an early length check tells a prober how much of the token it got right.
 */
function hasToken(authorization: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer ([^\s]+)$/i.exec(authorization ?? '');
  if (match?.[1] === undefined) return false;
  return timingSafeEqual(digest(match[1]), expected);
}

export function metricsRoutes(deps: MetricsRouteDeps): Route[] {
  const expected = deps.token === undefined ? undefined : digest(deps.token);
  return [
    {
      method: 'GET',
      path: '/metrics',
      operationId: 'getMetrics',
      produces: [EXPOSITION_TYPE],
      handler: async (ctx) => {
        // Why 404 when off: a gateway that does not serve metrics does not admit it has the route.
        if (expected === undefined || deps.scrape === undefined) {
          throw new GatewayError('ENLACE_ROUTE_NOT_FOUND', 'No route matches GET /metrics.');
        }
        const authorization = ctx.headers.authorization;
        if (!hasToken(typeof authorization === 'string' ? authorization : undefined, expected)) {
          throw new GatewayError(
            'ENLACE_METRICS_TOKEN_INVALID',
            'GET /metrics requires the metrics bearer token (ENLACE_METRICS_TOKEN).',
            { headers: { 'WWW-Authenticate': CHALLENGE, 'Cache-Control': 'no-store' } },
          );
        }
        return {
          body: await deps.scrape(),
          contentType: METRICS_CONTENT_TYPE,
          headers: { 'Cache-Control': 'no-store' },
        };
      },
    },
  ];
}
