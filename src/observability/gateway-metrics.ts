// The gateway's Prometheus metrics in one registry per process: request latency, referrals, consent, deliveries, pool, runtime.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GatewayTelemetry } from './telemetry.js';

/** A connection pool's figures (PostgreSQL); SQLite has a single connection and none. */
export interface PoolFigures {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export interface GatewayMetricsOptions {
  /** The gateway's version, for `enlace_info`. */
  readonly version: string;
  /** This process's database pool, read at each scrape; undefined figures (SQLite) add no gauge values. */
  readonly pool: () => PoolFigures | undefined;
}

export interface GatewayMetrics {
  /** This process's metrics: what a cluster primary gathers from each worker and sums. */
  readonly registry: Registry;
  readonly telemetry: GatewayTelemetry;
}

/** Latency buckets in seconds: a health probe (ms) up to a slow signed, audited write (s). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Node's HTTP parser accepts a fixed list of methods; anything unusual is counted as `other`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The outbox's kinds; a row of another kind (a future version's) is counted as `other`. */
const DELIVERY_KINDS = new Set([
  'referral',
  'task-update',
  'consent-revoked',
  'break-glass',
  'acknowledgement',
]);

const statusClass = (status: number): string =>
  status >= 100 && status <= 599 ? `${Math.floor(status / 100)}xx` : 'other';

const deliveryKind = (kind: string): string => (DELIVERY_KINDS.has(kind) ? kind : 'other');

export function createGatewayMetrics(options: GatewayMetricsOptions): GatewayMetrics {
  const registry = new Registry();
  // process_* and nodejs_* (event-loop lag, heap, GC, handles), read at scrape time.
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'enlace_info',
    help: 'The gateway version; always 1.',
    labelNames: ['version'],
    registers: [registry],
    aggregator: 'max',
  }).set({ version: options.version }, 1);
  const requests = new Histogram({
    name: 'enlace_http_request_duration_seconds',
    help: 'HTTP requests by route pattern (never the URL), method and status class; _count is the request count.',
    labelNames: ['method', 'route', 'status_class'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const submissions = new Counter({
    name: 'enlace_submissions_total',
    help: '$process-message submissions by message event and outcome (accepted, replayed or the refusal code).',
    labelNames: ['event', 'outcome'],
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'enlace_consent_decisions_total',
    help: 'Consent decisions at send and at retrieval, by decision and the rule that decided.',
    labelNames: ['decision', 'reason'],
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'enlace_delivery_attempts_total',
    help: 'Delivery push attempts by kind and outcome (delivered, retry, dead, lease-lost).',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  // SQLite has no pool: no gauge at all rather than a 0 that reads like an idle pool.
  if (options.pool() !== undefined) registerPoolGauges(registry, options.pool);
  return {
    registry,
    telemetry: {
      httpRequest: (method, route, status, seconds) => {
        requests.observe(
          {
            method: METHODS.has(method) ? method : 'other',
            route,
            status_class: statusClass(status),
          },
          seconds,
        );
      },
      submission: (event, outcome) => {
        submissions.inc({ event, outcome });
      },
      consentDecision: (decision, reason) => {
        decisions.inc({ decision, reason });
      },
      deliveryAttempt: (kind, outcome) => {
        attempts.inc({ kind: deliveryKind(kind), outcome });
      },
    },
  };
}

function registerPoolGauges(registry: Registry, pool: () => PoolFigures | undefined): void {
  new Gauge({
    name: 'enlace_database_pool_connections',
    help: 'PostgreSQL pool connections by state (total open, idle), summed over the processes.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const figures = pool();
      if (figures === undefined) return;
      this.set({ state: 'total' }, figures.total);
      this.set({ state: 'idle' }, figures.idle);
    },
  });
  new Gauge({
    name: 'enlace_database_pool_waiting',
    help: 'Queries waiting for a PostgreSQL pool connection, summed over the processes.',
    registers: [registry],
    collect() {
      const figures = pool();
      if (figures !== undefined) this.set(figures.waiting);
    },
  });
}
