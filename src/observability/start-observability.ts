// Starts what the configuration asks for in one process: metrics (ENLACE_METRICS) and traces (ENLACE_OTEL_EXPORTER_OTLP_ENDPOINT).
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { readPackageInfo, systemClock } from '../kernel/index.js';
import type { Store } from '../store/index.js';
import { startMetricsEndpoint, startPrimaryMetrics } from './metrics-endpoint.js';
import { startTracing } from './tracing.js';

export interface Observability {
  /** One scrape of GET /metrics; undefined when metrics are off, and in a cluster primary. */
  readonly scrape: (() => Promise<string>) | undefined;
  /** Uninstalls the metrics and flushes the last spans. */
  stop(): Promise<void>;
}

export interface ObservabilityOptions {
  readonly config: Pick<Config, 'metricsToken' | 'otlpEndpoint'>;
  readonly store: Pick<Store, 'db' | 'poolStats'>;
  readonly logger: Logger;
  /** `single` and `worker` serve /metrics; a cluster `primary` counts its duties for its workers to sum. */
  readonly role: 'single' | 'worker' | 'primary';
}

export async function startObservability(options: ObservabilityOptions): Promise<Observability> {
  const { config, store, logger, role } = options;
  const version = readPackageInfo().version;
  const pool = () => store.poolStats();
  let scrape: (() => Promise<string>) | undefined;
  let stopMetrics = (): void => undefined;
  if (config.metricsToken !== undefined) {
    if (role === 'primary') stopMetrics = startPrimaryMetrics({ version, pool });
    else {
      const endpoint = startMetricsEndpoint({
        version,
        store,
        pool,
        role,
        clock: systemClock,
        onError: (err: unknown) => {
          logger.warn({ err }, 'metrics: the database figures could not be read');
        },
      });
      scrape = () => endpoint.scrape();
      stopMetrics = () => {
        endpoint.stop();
      };
    }
  }
  const stopTracing =
    config.otlpEndpoint === undefined
      ? () => Promise.resolve()
      : await startTracing({ serviceVersion: version, endpoint: config.otlpEndpoint });
  return {
    scrape,
    stop: async () => {
      stopMetrics();
      await stopTracing();
    },
  };
}
