// The one error registry: every refusal the gateway can give, with its HTTP status and FHIR IssueType.

/** FHIR R4 IssueType codes (http://hl7.org/fhir/issue-type) that the gateway uses. */
export type IssueType =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'invariant'
  | 'security'
  | 'login'
  | 'forbidden'
  | 'processing'
  | 'not-supported'
  | 'duplicate'
  | 'not-found'
  | 'conflict'
  | 'too-costly'
  | 'transient'
  | 'exception'
  | 'timeout'
  | 'throttled';

export interface ErrorSpec {
  readonly status: number;
  readonly issue: IssueType;
  /** Whether the message may be shown to the client; unexposed errors answer a generic text. */
  readonly expose: boolean;
}

const spec = (status: number, issue: IssueType, expose = true): ErrorSpec => ({
  status,
  issue,
  expose,
});

/** Stable codes. Clients may rely on them; never rename one, add new ones instead. */
export const errorRegistry = {
  ENLACE_ROUTE_NOT_FOUND: spec(404, 'not-found'),
  ENLACE_METHOD_NOT_ALLOWED: spec(405, 'not-supported'),
  ENLACE_NOT_ACCEPTABLE: spec(406, 'not-supported'),
  ENLACE_UNSUPPORTED_MEDIA_TYPE: spec(415, 'not-supported'),
  ENLACE_BODY_TOO_LARGE: spec(413, 'too-costly'),
  ENLACE_BODY_REQUIRED: spec(400, 'required'),
  ENLACE_MALFORMED_JSON: spec(400, 'structure'),
  ENLACE_INVALID_UTF8: spec(400, 'structure'),
  ENLACE_JSON_TOO_DEEP: spec(400, 'too-costly'),
  ENLACE_JSON_FORBIDDEN_KEY: spec(400, 'security'),
  ENLACE_JSON_DUPLICATE_KEY: spec(400, 'structure'),
  ENLACE_INVALID_PARAMETER: spec(400, 'invalid'),
  ENLACE_NOT_READY: spec(503, 'transient'),
  ENLACE_INTERNAL: spec(500, 'exception', false),
  ENLACE_STORE_UNSUPPORTED_URL: spec(500, 'exception', false),
  ENLACE_STORE_SCHEMA_NEWER: spec(500, 'exception', false),
  ENLACE_STORE_MIGRATION_FAILED: spec(500, 'exception', false),
  ENLACE_STORE_INVALID_ARGUMENT: spec(500, 'exception', false),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorRegistry;

export interface GatewayErrorOptions {
  /** FHIRPath expressions locating the problem in the submitted resource. */
  readonly expression?: readonly string[];
  readonly cause?: unknown;
  /** Response headers the refusal requires (Allow, WWW-Authenticate, Retry-After…). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A refusal with a stable code; its status and IssueType come from the registry, never the call site. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly issue: IssueType;
  readonly expose: boolean;
  readonly expression: readonly string[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const entry: ErrorSpec = errorRegistry[code];
    this.name = 'GatewayError';
    this.code = code;
    this.status = entry.status;
    this.issue = entry.issue;
    this.expose = entry.expose;
    this.expression = options.expression ?? [];
    this.headers = options.headers ?? {};
  }
}

export const isGatewayError = (value: unknown): value is GatewayError =>
  value instanceof GatewayError;
