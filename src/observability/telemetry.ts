// The port capabilities emit through: a few named events with bounded labels; a no-op until metrics are installed.

/** What a consent decision was: the engine's outcome. */
export type ConsentOutcome = 'permit' | 'deny' | 'no-consent';

/** Why, as a small fixed code: which rule decided, never which consent or whose. */
export type ConsentReason =
  'consent' | 'break-the-glass' | 'default-permit' | 'provision-deny' | 'conflict' | 'no-provision';

/** How one delivery attempt ended. */
export type DeliveryAttemptOutcome = 'delivered' | 'retry' | 'dead' | 'lease-lost';

/**
 * The events the gateway counts. Every argument is a value from a closed set (an event code, an
 * error code, a route pattern), so no label can carry a person, a case, a Task or a client.
 */
export interface GatewayTelemetry {
  /** One HTTP request answered: its route pattern (never the URL), method and status. */
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  /** One `$process-message` submission: its message event and `accepted`, `replayed` or the refusal's code. */
  submission(event: string, outcome: string): void;
  consentDecision(outcome: ConsentOutcome, reason: ConsentReason): void;
  deliveryAttempt(kind: string, outcome: DeliveryAttemptOutcome): void;
}

const NO_TELEMETRY: GatewayTelemetry = {
  httpRequest: () => undefined,
  submission: () => undefined,
  consentDecision: () => undefined,
  deliveryAttempt: () => undefined,
};

let installed: GatewayTelemetry = NO_TELEMETRY;

/**
 * The process's telemetry. Like OpenTelemetry's API it is process-wide: capabilities call it
 * without being handed it, and it costs a function call until main installs real metrics.
 */
export function telemetry(): GatewayTelemetry {
  return installed;
}

/** Installs the process's metrics; returns a function that puts the no-op back (tests, shutdown). */
export function installTelemetry(sink: GatewayTelemetry): () => void {
  installed = sink;
  return () => {
    if (installed === sink) installed = NO_TELEMETRY;
  };
}
