// What GET /metrics serves: this process's (or the cluster's summed) metrics, then the database figures.
import { Registry } from 'prom-client';
import type { Store } from '../store/index.js';
import {
  answerClusterMetrics,
  requestClusterMetrics,
  serveClusterMetrics,
  type ClusterSum,
} from './cluster-metrics.js';
import { databaseRegistry, readDatabaseFigures, type DatabaseFigures } from './database-figures.js';
import { createGatewayMetrics, type PoolFigures } from './gateway-metrics.js';
import { installTelemetry } from './telemetry.js';

/** The Prometheus text exposition format, version 0.0.4. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export interface MetricsEndpoint {
  /** One scrape: the exposition text. */
  scrape(): Promise<string>;
  /** Uninstalls the metrics and stops answering the cluster. */
  stop(): void;
}

export interface ProcessMetricsOptions {
  readonly version: string;
  readonly store: Pick<Store, 'db'>;
  /** This process's database pool (PostgreSQL); undefined figures on SQLite. */
  readonly pool: () => PoolFigures | undefined;
  /** `single` serves its own figures; a cluster `worker` serves the sum its primary gathers. */
  readonly role: 'single' | 'worker';
  readonly clock: () => Date;
  /** Told when the database figures cannot be read; the scrape still answers. */
  readonly onError: (err: unknown) => void;
}

/** Installs this serving process's metrics and returns what answers GET /metrics. */
export function startMetricsEndpoint(options: ProcessMetricsOptions): MetricsEndpoint {
  const { registry, telemetry } = createGatewayMetrics(options);
  const uninstall = installTelemetry(telemetry);
  const stopAnswering =
    options.role === 'worker' ? answerClusterMetrics(registry) : () => undefined;
  const processMetrics = (): Promise<ClusterSum> =>
    options.role === 'worker'
      ? requestClusterMetrics()
      : registry.metrics().then((text) => ({ text, processes: 1 }));
  return {
    scrape: async () => {
      const [own, figures] = await Promise.all([
        processMetrics(),
        readDatabaseFigures(options.store).then(
          (read): DatabaseFigures | undefined => read,
          (err: unknown) => {
            options.onError(err);
            return undefined;
          },
        ),
      ]);
      const database = databaseRegistry(figures, options.clock(), own.processes);
      return `${own.text}${await database.metrics()}`;
    },
    stop: () => {
      stopAnswering();
      uninstall();
    },
  };
}

export interface PrimaryMetricsOptions {
  readonly version: string;
  readonly pool: () => PoolFigures | undefined;
}

/** In a cluster primary: counts its duties (deliveries) and sums every worker's figures for them. */
export function startPrimaryMetrics(options: PrimaryMetricsOptions): () => void {
  const { registry, telemetry } = createGatewayMetrics(options);
  const uninstall = installTelemetry(telemetry);
  const stopServing = serveClusterMetrics(registry);
  return () => {
    stopServing();
    uninstall();
  };
}
