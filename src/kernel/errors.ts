// The one error registry: every refusal the gateway can give, with its HTTP status and FHIR IssueType.

/** FHIR R4 IssueType codes (http://hl7.org/fhir/issue-type) that the gateway uses. */
export type IssueType =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'code-invalid'
  | 'invariant'
  | 'security'
  | 'login'
  | 'forbidden'
  | 'processing'
  | 'not-supported'
  | 'duplicate'
  | 'not-found'
  | 'conflict'
  | 'business-rule'
  | 'lock-error'
  | 'too-costly'
  | 'transient'
  | 'exception'
  | 'timeout'
  | 'throttled'
  | 'multiple-matches'
  | 'informational';

/** OAuth 2.0 error codes (RFC 6749 §5.2), for refusals at the token endpoint. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  /** RFC 6749 §4.1.2.1; used at the token endpoint too when the database cannot answer. */
  | 'temporarily_unavailable'
  /** RFC 8628 §3.5: the client asks too often; it waits `Retry-After` seconds. */
  | 'slow_down';

export interface ErrorSpec {
  readonly status: number;
  readonly issue: IssueType;
  /** Whether the message may be shown to the client; unexposed errors answer a generic text. */
  readonly expose: boolean;
  /** The OAuth error this refusal is at the token endpoint; others answer `invalid_request`. */
  readonly oauth?: OAuthErrorCode;
}

const spec = (status: number, issue: IssueType, expose = true): ErrorSpec => ({
  status,
  issue,
  expose,
});

const oauth = (status: number, issue: IssueType, code: OAuthErrorCode): ErrorSpec => ({
  status,
  issue,
  expose: true,
  oauth: code,
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
  ENLACE_JSON_CONTROL_CHARACTER: spec(400, 'structure'),
  ENLACE_INVALID_PARAMETER: spec(400, 'invalid'),
  ENLACE_CONTROL_CHARACTER: spec(400, 'invalid'),
  ENLACE_FORM_CONTROL_CHARACTER: oauth(400, 'invalid', 'invalid_request'),
  ENLACE_FORM_DUPLICATE_PARAMETER: oauth(400, 'invalid', 'invalid_request'),
  ENLACE_NOT_READY: spec(503, 'transient'),
  /** The caller spent its budget of requests; `Retry-After` says when the next one is admitted. */
  ENLACE_RATE_LIMITED: oauth(429, 'throttled', 'slow_down'),
  /** The instance is overloaded (event loop lag, database queue): refused before any work. */
  ENLACE_OVERLOADED: oauth(503, 'transient', 'temporarily_unavailable'),
  ENLACE_PARTNER_INVALID: spec(400, 'invalid'),
  ENLACE_PARTNER_EXISTS: spec(409, 'duplicate'),
  ENLACE_PARTNER_NOT_FOUND: spec(404, 'not-found'),
  ENLACE_PARTNER_CLIENT_NOT_FOUND: spec(404, 'not-found'),
  ENLACE_PARTNER_LAST_CLIENT: spec(409, 'business-rule'),
  ENLACE_RESOURCE_NOT_FOUND: spec(404, 'not-found'),
  ENLACE_CERTIFICATE_INVALID: spec(401, 'security'),
  ENLACE_CSR_INVALID: spec(400, 'invalid'),
  ENLACE_CERTIFICATE_NOT_FOUND: spec(404, 'not-found'),
  ENLACE_CERTIFICATE_ALREADY_REVOKED: spec(409, 'conflict'),
  ENLACE_PKI_NOT_INITIALIZED: spec(404, 'not-found'),
  ENLACE_PKI_ALREADY_INITIALIZED: spec(409, 'conflict'),
  ENLACE_PKI_MATERIAL_INVALID: spec(500, 'exception', false),
  ENLACE_SIGNATURE_INVALID: spec(400, 'security'),
  ENLACE_JWE_MALFORMED: spec(400, 'structure'),
  ENLACE_JWE_UNSUPPORTED: spec(400, 'not-supported'),
  ENLACE_DECRYPTION_FAILED: spec(400, 'security'),
  ENLACE_RECIPIENT_KEY_UNSUPPORTED: spec(400, 'invalid'),
  ENLACE_SEALED_RECORD_UNREADABLE: spec(500, 'exception', false),
  ENLACE_PERSON_INVALID: spec(400, 'invalid'),
  ENLACE_PERSON_EXISTS: spec(409, 'duplicate'),
  ENLACE_PERSON_NOT_FOUND: spec(404, 'not-found'),
  ENLACE_SIGN_IN_FAILED: spec(401, 'login'),
  ENLACE_SIGN_IN_LOCKED: spec(423, 'lock-error'),
  ENLACE_PERSON_TOKEN_INVALID: spec(401, 'login'),
  ENLACE_TOKEN_REQUEST_INVALID: oauth(400, 'invalid', 'invalid_request'),
  ENLACE_GRANT_TYPE_UNSUPPORTED: oauth(400, 'not-supported', 'unsupported_grant_type'),
  ENLACE_CLIENT_AUTH_FAILED: oauth(401, 'login', 'invalid_client'),
  ENLACE_SCOPE_INVALID: oauth(400, 'invalid', 'invalid_scope'),
  ENLACE_TOKEN_INVALID: spec(401, 'login'),
  ENLACE_METRICS_TOKEN_INVALID: spec(401, 'login'),
  /** Mutual TLS: ENLACE_TLS_CLIENT_AUTH=require and the partner's connection carried no certificate. */
  ENLACE_CLIENT_CERTIFICATE_REQUIRED: spec(401, 'login'),
  /** Mutual TLS: the connection's certificate does not chain to the network's CAs, or is revoked or expired. */
  ENLACE_CLIENT_CERTIFICATE_INVALID: spec(401, 'security'),
  /** RFC 8705 §3: the token is bound to another certificate, or the certificate is another partner's. */
  ENLACE_TOKEN_CERTIFICATE_MISMATCH: spec(401, 'security'),
  ENLACE_ROLE_INSUFFICIENT: spec(403, 'forbidden'),
  ENLACE_SCOPE_INSUFFICIENT: spec(403, 'forbidden'),
  ENLACE_EMERGENCY_PARAMETER_MISSING: spec(400, 'required'),
  ENLACE_EMERGENCY_PARAMETER_INVALID: spec(400, 'value'),
  ENLACE_EMERGENCY_ROLE_NOT_ALLOWED: spec(403, 'forbidden'),
  ENLACE_EMERGENCY_LIMIT_REACHED: spec(403, 'forbidden'),
  ENLACE_EMERGENCY_GRANT_MISMATCH: spec(403, 'forbidden'),
  ENLACE_EMERGENCY_GRANT_ACTIVE: spec(409, 'duplicate'),
  ENLACE_EMERGENCY_GRANT_ENDED: spec(409, 'conflict'),
  ENLACE_EMERGENCY_GRANT_NOT_FOUND: spec(404, 'not-found'),
  ENLACE_EMERGENCY_REVIEW_INVALID: spec(400, 'invalid'),
  ENLACE_EMERGENCY_ALREADY_REVIEWED: spec(409, 'conflict'),
  ENLACE_CONSENT_INVALID: spec(400, 'invalid'),
  ENLACE_CONSENT_SURVIVOR_UNIDENTIFIED: spec(400, 'required'),
  ENLACE_CONSENT_SERVER_OWNED_FIELD: spec(400, 'invalid'),
  ENLACE_CONSENT_CODE_UNKNOWN: spec(400, 'value'),
  ENLACE_CONSENT_PURPOSE_NOT_CONSENTABLE: spec(400, 'business-rule'),
  ENLACE_CONSENT_ACTOR_UNKNOWN: spec(400, 'value'),
  ENLACE_CONSENT_TOO_COMPLEX: spec(400, 'too-costly'),
  ENLACE_CONSENT_PATCH_INVALID: spec(400, 'invalid'),
  ENLACE_CONSENT_PATCH_UNSUPPORTED: spec(422, 'not-supported'),
  ENLACE_CONSENT_VERSION_MISMATCH: spec(412, 'conflict'),
  /** If-None-Exist (conditional create) matched more than one resource. */
  ENLACE_CONDITIONAL_CREATE_AMBIGUOUS: spec(412, 'multiple-matches'),
  ENLACE_CONSENT_ALREADY_INACTIVE: spec(409, 'conflict'),
  ENLACE_CONSENT_REVOCATION_FORBIDDEN: spec(403, 'forbidden'),
  ENLACE_CONSENT_DENIED: spec(403, 'forbidden'),
  ENLACE_SURVIVOR_UNIDENTIFIABLE: spec(400, 'invalid'),
  ENLACE_PROFILE_INVALID: spec(422, 'invalid'),
  ENLACE_TASK_TRANSITION_INVALID: spec(409, 'business-rule'),
  ENLACE_TASK_REASON_REQUIRED: spec(400, 'required'),
  ENLACE_DELIVERY_NOT_FOUND: spec(404, 'not-found'),
  ENLACE_DELIVERY_NOT_DEAD: spec(409, 'conflict'),
  ENLACE_DELIVERY_ENDPOINT_NOT_ALLOWED: spec(502, 'security', false),
  ENLACE_MESSAGE_INVALID: spec(400, 'invalid'),
  ENLACE_MESSAGE_EVENT_UNSUPPORTED: spec(400, 'not-supported'),
  ENLACE_PLAIN_SUBMISSION_REFUSED: spec(415, 'not-supported'),
  ENLACE_SENDER_MISMATCH: spec(403, 'forbidden'),
  ENLACE_RECIPIENT_UNKNOWN: spec(400, 'value'),
  ENLACE_ROUTE_FORBIDDEN: spec(403, 'forbidden'),
  ENLACE_MESSAGE_CONFLICT: spec(409, 'conflict'),
  ENLACE_TASK_PATCH_INVALID: spec(400, 'invalid'),
  ENLACE_TASK_PATCH_UNSUPPORTED: spec(422, 'not-supported'),
  ENLACE_TASK_VERSION_MISMATCH: spec(412, 'conflict'),
  ENLACE_TASK_PRECONDITION_REQUIRED: spec(428, 'required'),
  ENLACE_TASK_MESSAGE_INVALID: spec(400, 'invalid'),
  ENLACE_SEARCH_CURSOR_INVALID: spec(400, 'invalid'),
  ENLACE_REFERRAL_WITHDRAWN: spec(409, 'business-rule'),
  ENLACE_RECIPIENT_KEY_MISSING: spec(409, 'business-rule'),
  ENLACE_AUDIT_PROOF_UNAVAILABLE: spec(404, 'not-found'),
  ENLACE_AUDIT_CHECKPOINT_NOT_FOUND: spec(404, 'not-found'),
  ENLACE_AUDIT_WITNESS_UNKNOWN: spec(403, 'forbidden'),
  ENLACE_AUDIT_COSIGNATURE_INVALID: spec(400, 'security'),
  ENLACE_AUDIT_WITNESS_INVALID: spec(400, 'invalid'),
  ENLACE_AUDIT_WITNESS_EXISTS: spec(409, 'duplicate'),
  ENLACE_AUDIT_EXPORT_FAILED: spec(500, 'exception'),
  ENLACE_INTERNAL: spec(500, 'exception', false),
  /** The database cannot answer now; the text is fixed and never names the engine, host or SQLSTATE. */
  ENLACE_STORE_UNAVAILABLE: oauth(503, 'transient', 'temporarily_unavailable'),
  ENLACE_STORE_UNSUPPORTED_URL: spec(500, 'exception', false),
  ENLACE_STORE_SCHEMA_NEWER: spec(500, 'exception', false),
  ENLACE_STORE_SCHEMA_OLDER: spec(500, 'exception', false),
  ENLACE_STORE_MIGRATION_FAILED: spec(500, 'exception', false),
  ENLACE_STORE_INVALID_ARGUMENT: spec(500, 'exception', false),
  ENLACE_STORE_LEDGER_CORRUPT: spec(500, 'exception', false),
  ENLACE_STORE_AUDIT_FAILED: spec(503, 'transient'),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorRegistry;

/** One problem of a refusal that has several (profile validation); rendered as its own OperationOutcome issue. */
export interface GatewayIssue {
  readonly severity: 'error' | 'warning';
  readonly code: IssueType;
  readonly text: string;
  readonly expression?: readonly string[];
}

export interface GatewayErrorOptions {
  /** FHIRPath expressions locating the problem in the submitted resource. */
  readonly expression?: readonly string[];
  readonly cause?: unknown;
  /** Response headers the refusal requires (Allow, WWW-Authenticate, Retry-After…). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Every problem found, when there are several; the handler renders one issue each. */
  readonly issues?: readonly GatewayIssue[];
}

/** A refusal with a stable code; its status and IssueType come from the registry, never the call site. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly issue: IssueType;
  readonly expose: boolean;
  readonly expression: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly oauth: OAuthErrorCode | undefined;
  readonly issues: readonly GatewayIssue[];

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
    this.oauth = entry.oauth;
    this.issues = options.issues ?? [];
  }
}

export const isGatewayError = (value: unknown): value is GatewayError =>
  value instanceof GatewayError;
