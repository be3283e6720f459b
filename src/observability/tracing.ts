// OpenTelemetry traces: off unless started; spans per pipeline step, W3C traceparent in and out, no personal data.
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-node';

const TRACER_NAME = 'enlace';

/**
 * Why a flag besides the API's own no-op tracer: with tracing off a step is a plain call, so the
 * hot path pays one branch, not a span object and a context switch per step.
 */
let enabled = false;

export interface TracingOptions {
  readonly serviceVersion: string;
  /** The OTLP/HTTP base URL; spans are posted to `<endpoint>/v1/traces`. */
  readonly endpoint?: string;
  /** Instead of the OTLP exporter (tests hand in a SimpleSpanProcessor over an InMemorySpanExporter). */
  readonly spanProcessor?: SpanProcessor;
}

/**
 * Starts tracing for this process; the returned function flushes the last spans and stops. The SDK
 * is loaded only here, so a gateway (or an `enlace` command) without tracing never loads it.
 */
export async function startTracing(options: TracingOptions): Promise<() => Promise<void>> {
  const [{ BatchSpanProcessor, NodeTracerProvider }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/resources'),
    ]);
  const processor =
    options.spanProcessor ??
    new BatchSpanProcessor(
      new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({
        url: `${(options.endpoint ?? '').replace(/\/+$/, '')}/v1/traces`,
      }),
    );
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'enlace',
      'service.version': options.serviceVersion,
    }),
    spanProcessors: [processor],
  });
  // Registers the tracer, the AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  enabled = true;
  return async () => {
    enabled = false;
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  };
}

export function isTracing(): boolean {
  return enabled;
}

/** The stable code of an error, if it has one: what a span records instead of a message. */
function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? code : 'unexpected';
}

function fail(span: Span, error: unknown): void {
  // Why no message or stack: an error's text can quote the input, and inputs carry case data.
  span.setAttribute('enlace.error.code', errorCodeOf(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/**
 * Runs one step of a pipeline in its own span, a child of the active one. Attributes must be
 * codes, counts and sizes only: never an identifier of a person, a case or a Task.
 */
export function traceStep<T>(
  name: string,
  step: () => Promise<T>,
  attributes?: Attributes,
): Promise<T>;
export function traceStep<T>(name: string, step: () => T, attributes?: Attributes): Promise<T> | T;
export function traceStep<T>(
  name: string,
  step: () => Promise<T> | T,
  attributes?: Attributes,
): Promise<T> | T {
  // Off: the step itself, not even a promise of ours around it.
  if (!enabled) return step();
  return tracedStep(name, step, attributes);
}

function tracedStep<T>(
  name: string,
  step: () => Promise<T> | T,
  attributes: Attributes | undefined,
): Promise<T> {
  return trace
    .getTracer(TRACER_NAME)
    .startActiveSpan(name, attributes === undefined ? {} : { attributes }, async (span) => {
      try {
        return await step();
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
}

/** Adds attributes (codes, sizes) to the active span, once a step has learnt them. */
export function annotateStep(attributes: Attributes): void {
  if (enabled) trace.getActiveSpan()?.setAttributes(attributes);
}

/** The span of one incoming HTTP request, and how to run the request's handling inside it. */
export interface ServerSpan {
  run<T>(work: () => T): T;
  /** Ends the span with the route pattern (never the URL) and the status sent. */
  end(route: string | undefined, status: number | undefined): void;
}

const NO_SERVER_SPAN: ServerSpan = { run: (work) => work(), end: () => undefined };

/** Starts a request's span as a child of the caller's `traceparent`, if it sent one. */
export function startServerSpan(
  method: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): ServerSpan {
  if (!enabled) return NO_SERVER_SPAN;
  const parent: Context = propagation.extract(context.active(), headers);
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } },
      parent,
    );
  const active = trace.setSpan(parent, span);
  return {
    run: (work) => context.with(active, work),
    end: (route, status) => {
      if (route !== undefined) {
        span.updateName(`${method} ${route}`);
        span.setAttribute('http.route', route);
      }
      if (status !== undefined) {
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}

/** Runs an outgoing call in a client span and gives it the headers that carry its context on. */
export function traceOutgoing<T>(
  name: string,
  attributes: Attributes,
  call: (traceHeaders: Readonly<Record<string, string>>) => Promise<T>,
): Promise<T> {
  if (!enabled) return call({});
  return trace
    .getTracer(TRACER_NAME)
    .startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);
      try {
        return await call(carrier);
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
}
