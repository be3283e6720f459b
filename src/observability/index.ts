// Public face of observability: the telemetry port capabilities emit through, Prometheus metrics, OpenTelemetry traces.
export {
  installTelemetry,
  telemetry,
  type ConsentOutcome,
  type ConsentReason,
  type DeliveryAttemptOutcome,
  type GatewayTelemetry,
} from './telemetry.js';
export { createGatewayMetrics, type GatewayMetrics, type PoolFigures } from './gateway-metrics.js';
export { readDatabaseFigures, type DatabaseFigures } from './database-figures.js';
export {
  METRICS_CONTENT_TYPE,
  startMetricsEndpoint,
  startPrimaryMetrics,
  type MetricsEndpoint,
} from './metrics-endpoint.js';
export {
  annotateStep,
  isTracing,
  startServerSpan,
  startTracing,
  traceOutgoing,
  traceStep,
  type ServerSpan,
  type TracingOptions,
} from './tracing.js';
export {
  startObservability,
  type Observability,
  type ObservabilityOptions,
} from './start-observability.js';
