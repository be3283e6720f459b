// The configuration variables Enlace reads, each with its JSON Schema, default and a plain description.

export interface VariableSpec {
  readonly key: string;
  /** JSON Schema for the value after type coercion. */
  readonly schema: Readonly<Record<string, unknown>>;
  readonly default?: string | number;
  /** What the operator must supply; the start-up error repeats it verbatim. */
  readonly expects: string;
  /** Whether `<NAME>_FILE` may supply it (secrets read from a mounted file). */
  readonly secret?: boolean;
}

const port = { type: 'integer', minimum: 0, maximum: 65535 };
const millis = (min: number, max: number) => ({ type: 'integer', minimum: min, maximum: max });
const perMinute = { type: 'integer', minimum: 0, maximum: 1_000_000 };

/** Every ENLACE_* variable, in the order the README documents them. */
export const variables = {
  ENLACE_HOST: {
    key: 'host',
    schema: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:\\-\\[\\]]+$' },
    default: '127.0.0.1',
    expects: 'a host name or IP address to listen on',
  },
  ENLACE_PORT: {
    key: 'port',
    schema: port,
    default: 8080,
    expects: 'an integer from 0 to 65535',
  },
  ENLACE_PUBLIC_URL: {
    key: 'publicUrl',
    schema: { type: 'string', pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$', maxLength: 2048 },
    expects:
      'the absolute http(s) URL partners use to reach the gateway, without query or fragment',
  },
  ENLACE_TLS_CERT_FILE: {
    key: 'tlsCertFile',
    schema: { type: 'string', minLength: 1, maxLength: 4096 },
    expects:
      'the path of the PEM server certificate (leaf first, then its intermediate CAs); set together with ENLACE_TLS_KEY_FILE',
  },
  ENLACE_TLS_KEY_FILE: {
    key: 'tlsKeyFile',
    schema: { type: 'string', minLength: 1, maxLength: 4096 },
    expects:
      'the path of the unencrypted PEM private key of ENLACE_TLS_CERT_FILE; set together with ENLACE_TLS_CERT_FILE',
  },
  ENLACE_TLS_CA_FILE: {
    key: 'tlsCaFile',
    schema: { type: 'string', minLength: 1, maxLength: 4096 },
    expects:
      'the path of a PEM bundle of the intermediate CA certificates sent after the server certificate',
  },
  ENLACE_TLS_MIN_VERSION: {
    key: 'tlsMinVersion',
    schema: { enum: ['TLSv1.2', 'TLSv1.3'] },
    default: 'TLSv1.2',
    expects: 'one of TLSv1.2, TLSv1.3',
  },
  ENLACE_TLS_CLIENT_AUTH: {
    key: 'tlsClientAuth',
    schema: { enum: ['off', 'optional', 'require'] },
    default: 'off',
    expects: 'one of off, optional, require (optional and require need ENLACE_TLS_CERT_FILE)',
  },
  ENLACE_PROFILE: {
    key: 'profile',
    schema: { enum: ['development', 'production'] },
    default: 'development',
    expects: 'one of development, production',
  },
  ENLACE_DATA_DIR: {
    key: 'dataDir',
    schema: { type: 'string', minLength: 1, maxLength: 4096 },
    default: './data',
    expects: 'a directory path for the database and keys',
  },
  ENLACE_DATABASE_URL: {
    key: 'databaseUrl',
    schema: { type: 'string', pattern: '^(postgres(ql)?://|sqlite:).+', maxLength: 4096 },
    expects: 'postgres://user:password@host:port/database or sqlite:<file path>',
    secret: true,
  },
  ENLACE_DATABASE_MIGRATIONS: {
    key: 'databaseMigrations',
    schema: { enum: ['apply', 'check'] },
    default: 'apply',
    expects:
      'apply (migrations run at start) or check (start refuses a schema that is not current; `enlace db migrate` applies it)',
  },
  ENLACE_DATABASE_POOL_MAX: {
    key: 'databasePoolMax',
    schema: { type: 'integer', minimum: 1, maximum: 1000 },
    default: 10,
    expects: 'PostgreSQL connections per process, from 1 to 1000',
  },
  ENLACE_DATABASE_CONNECT_TIMEOUT_MS: {
    key: 'databaseConnectTimeoutMs',
    schema: millis(100, 60_000),
    default: 5_000,
    expects: 'milliseconds from 100 to 60000',
  },
  ENLACE_DATABASE_STATEMENT_TIMEOUT_MS: {
    key: 'databaseStatementTimeoutMs',
    schema: millis(100, 3_600_000),
    default: 15_000,
    expects: 'milliseconds from 100 to 3600000',
  },
  ENLACE_DATABASE_IDLE_TRANSACTION_TIMEOUT_MS: {
    key: 'databaseIdleTransactionTimeoutMs',
    schema: millis(100, 3_600_000),
    default: 30_000,
    expects: 'milliseconds from 100 to 3600000',
  },
  ENLACE_POLICY_FILE: {
    key: 'policyFile',
    schema: { type: 'string', minLength: 1, maxLength: 4096 },
    expects: 'the path of a network policy JSON file (roles, scopes, routes)',
  },
  ENLACE_TRUST_ANCHORS_FILE: {
    key: 'trustAnchorsFile',
    schema: { type: 'string', minLength: 1, maxLength: 4096 },
    expects: 'the path of a PEM bundle of external CA certificates to trust (a national PKI)',
  },
  ENLACE_TRUST_CRL_FILES: {
    key: 'trustCrlFiles',
    schema: { type: 'string', minLength: 1, maxLength: 65536 },
    expects: 'paths of CRL files (DER or PEM) of the external CAs, separated by ":"',
  },
  ENLACE_CERTS_DIR: {
    key: 'certsDir',
    schema: { type: 'string', minLength: 1, maxLength: 4096 },
    expects:
      'a directory whose anchors/ holds external CA certificates (*.pem) and crls/ their CRLs (*.crl, *.pem)',
  },
  ENLACE_CLOCK_SKEW_SECONDS: {
    key: 'clockSkewSeconds',
    schema: { type: 'integer', minimum: 0, maximum: 300 },
    default: 60,
    expects: 'seconds of tolerated clock difference with partners, from 0 to 300',
  },
  ENLACE_PEOPLE_SECRET: {
    key: 'peopleSecret',
    schema: { type: 'string', pattern: '^[A-Za-z0-9+/]{43,}={0,2}$', maxLength: 1024 },
    expects: "base64 of at least 32 random bytes (seals operators' TOTP secrets)",
    secret: true,
  },
  ENLACE_PSEUDONYM_KEYS_FILE: {
    key: 'pseudonymKeysFile',
    schema: { type: 'string', minLength: 1, maxLength: 4096 },
    expects:
      'the path of a JSON file {"current": "<key id>", "keys": {"<key id>": "<base64 of at least 32 random bytes>"}}, readable by its owner only',
  },
  ENLACE_CONSENT_DEFAULT_DECISION: {
    key: 'consentDefaultDecision',
    schema: { enum: ['no-consent', 'permit'] },
    default: 'no-consent',
    expects: 'one of no-consent, permit',
  },
  ENLACE_EMERGENCY_SWEEP_SECONDS: {
    key: 'emergencySweepSeconds',
    schema: { type: 'integer', minimum: 1, maximum: 3600 },
    default: 60,
    expects: 'seconds between sweeps that stop expired emergency grants, from 1 to 3600',
  },
  ENLACE_AUDIT_LOG_ORIGIN: {
    key: 'auditLogOrigin',
    // C2SP tlog-checkpoint: a schema-less URL naming the log; it is also the log key's name.
    schema: {
      type: 'string',
      pattern: '^[A-Za-z0-9.\\-]+(:[0-9]+)?(/[A-Za-z0-9._~\\-]+)*$',
      maxLength: 200,
    },
    expects: 'the log origin, a schema-less URL such as gateway.example.org/audit-log',
  },
  ENLACE_CHECKPOINT_ENTRIES: {
    key: 'checkpointEntries',
    schema: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    default: 1000,
    expects: 'audit entries between signed checkpoints, from 1 to 1000000',
  },
  ENLACE_CHECKPOINT_SECONDS: {
    key: 'checkpointSeconds',
    schema: { type: 'integer', minimum: 1, maximum: 86_400 },
    default: 60,
    expects: 'seconds at most between signed checkpoints of a growing log, from 1 to 86400',
  },
  ENLACE_EXPORT_RETENTION_HOURS: {
    key: 'exportRetentionHours',
    schema: { type: 'integer', minimum: 1, maximum: 720 },
    default: 24,
    expects: 'hours an audit export is kept before its files are deleted, from 1 to 720',
  },
  ENLACE_DELIVERY_ALLOWED_HOSTS: {
    key: 'deliveryAllowedHosts',
    schema: { type: 'string', pattern: '^[A-Za-z0-9.*:\\-\\[\\], ]+$', maxLength: 8192 },
    expects:
      'comma-separated host[:port] patterns partners may be pushed to, each exact (hook.example.org:8443, 10.1.2.3) or a subdomain wildcard (*.example.org)',
  },
  ENLACE_DELIVERY_HORIZON_HOURS: {
    key: 'deliveryHorizonHours',
    schema: { type: 'integer', minimum: 1, maximum: 720 },
    default: 24,
    expects: 'hours from 1 to 720 during which a push is retried before it is dead-lettered',
  },
  ENLACE_DELIVERY_TIMEOUT_MS: {
    key: 'deliveryTimeoutMs',
    schema: millis(1000, 120_000),
    default: 10_000,
    expects: 'milliseconds from 1000 to 120000',
  },
  ENLACE_DELIVERY_LEASE_MS: {
    key: 'deliveryLeaseMs',
    schema: millis(2000, 3_600_000),
    // No fixed default: three delivery timeouts plus 30 s, so one attempt always fits.
    expects: 'milliseconds from 2000 to 3600000, more than ENLACE_DELIVERY_TIMEOUT_MS',
  },
  ENLACE_DELIVERY_POLL_SECONDS: {
    key: 'deliveryPollSeconds',
    schema: { type: 'integer', minimum: 1, maximum: 300 },
    default: 5,
    expects: 'seconds between delivery passes, from 1 to 300',
  },
  ENLACE_DATA_KEYS_FILE: {
    key: 'dataKeysFile',
    schema: { type: 'string', minLength: 1, maxLength: 4096 },
    expects:
      'the path of a JSON file {"current": "<key id>", "keys": {"<key id>": "<base64 of exactly 32 random bytes>"}}, readable by its owner only',
  },
  ENLACE_ALLOW_PLAIN_SUBMISSIONS: {
    key: 'allowPlainSubmissions',
    schema: { enum: ['true', 'false'] },
    expects: 'true or false (true is refused in the production profile)',
  },
  ENLACE_LOG_LEVEL: {
    key: 'logLevel',
    schema: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    default: 'info',
    expects: 'one of fatal, error, warn, info, debug, trace, silent',
  },
  ENLACE_METRICS: {
    key: 'metrics',
    schema: { enum: ['off', 'on'] },
    default: 'off',
    expects: 'off or on (on requires ENLACE_METRICS_TOKEN)',
  },
  ENLACE_METRICS_TOKEN: {
    key: 'metricsToken',
    // RFC 6750 b64token characters; 32 or more, so it cannot be guessed.
    schema: { type: 'string', minLength: 32, maxLength: 512, pattern: '^[A-Za-z0-9\\-._~+/]+=*$' },
    expects:
      'the bearer token Prometheus sends to GET /metrics: 32 to 512 characters of A-Z a-z 0-9 - . _ ~ + / (then = padding)',
    secret: true,
  },
  ENLACE_OTEL_EXPORTER_OTLP_ENDPOINT: {
    key: 'otlpEndpoint',
    schema: { type: 'string', pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$', maxLength: 2048 },
    expects:
      'the http(s) base URL of an OTLP/HTTP collector (traces go to <url>/v1/traces); unset turns tracing off',
  },
  ENLACE_BODY_LIMIT: {
    key: 'bodyLimitBytes',
    schema: { type: 'integer', minimum: 1024, maximum: 64 * 1024 * 1024 },
    default: 1024 * 1024,
    expects: 'a request body limit in bytes, from 1024 to 67108864',
  },
  ENLACE_JSON_MAX_DEPTH: {
    key: 'jsonMaxDepth',
    schema: { type: 'integer', minimum: 8, maximum: 512 },
    default: 64,
    expects: 'an integer from 8 to 512',
  },
  ENLACE_WORKERS: {
    key: 'workers',
    schema: { type: 'integer', minimum: 1, maximum: 64 },
    // No fixed default: 1 in development, the machine's available parallelism in production.
    expects: 'a number of worker processes from 1 to 64',
  },
  ENLACE_SHUTDOWN_GRACE_MS: {
    key: 'shutdownGraceMs',
    schema: millis(0, 600_000),
    default: 10_000,
    expects: 'milliseconds from 0 to 600000',
  },
  ENLACE_HEADERS_TIMEOUT_MS: {
    key: 'headersTimeoutMs',
    schema: millis(1000, 120_000),
    default: 20_000,
    expects: 'milliseconds from 1000 to 120000',
  },
  ENLACE_REQUEST_TIMEOUT_MS: {
    key: 'requestTimeoutMs',
    schema: millis(1000, 600_000),
    default: 30_000,
    expects: 'milliseconds from 1000 to 600000',
  },
  ENLACE_KEEP_ALIVE_TIMEOUT_MS: {
    key: 'keepAliveTimeoutMs',
    schema: millis(0, 120_000),
    default: 5_000,
    expects: 'milliseconds from 0 to 120000',
  },
  ENLACE_MAX_CONNECTIONS: {
    key: 'maxConnections',
    schema: { type: 'integer', minimum: 16, maximum: 1_000_000 },
    default: 10_000,
    expects: 'connections from 16 to 1000000',
  },
  ENLACE_MAX_HEADER_SIZE: {
    key: 'maxHeaderSize',
    schema: { type: 'integer', minimum: 4096, maximum: 65536 },
    default: 16_384,
    expects: 'bytes from 4096 to 65536',
  },
  ENLACE_RATE_LIMIT_CLIENT_PER_MINUTE: {
    key: 'rateLimitClientPerMinute',
    schema: perMinute,
    default: 600,
    expects: 'requests per minute per authenticated client, from 0 (no limit) to 1000000',
  },
  ENLACE_RATE_LIMIT_ANONYMOUS_PER_MINUTE: {
    key: 'rateLimitAnonymousPerMinute',
    schema: perMinute,
    default: 120,
    expects:
      'requests per minute per source address without a credential, from 0 (no limit) to 1000000',
  },
  ENLACE_RATE_LIMIT_TOKEN_PER_MINUTE: {
    key: 'rateLimitTokenPerMinute',
    schema: perMinute,
    default: 30,
    expects:
      'requests per minute per source address to the token and sign-in endpoints, from 0 (no limit) to 1000000',
  },
  ENLACE_REDIS_URL: {
    key: 'redisUrl',
    schema: { type: 'string', pattern: '^rediss?://.+', maxLength: 4096 },
    expects: 'redis://[user:password@]host:port[/db] or rediss://… for TLS',
    secret: true,
  },
  ENLACE_LOAD_SHED_EVENT_LOOP_DELAY_MS: {
    key: 'loadShedEventLoopDelayMs',
    schema: millis(0, 60_000),
    default: 250,
    expects:
      'milliseconds of event loop delay past which requests are shed, from 0 (never) to 60000',
  },
  ENLACE_LOAD_SHED_DATABASE_WAITING: {
    key: 'loadShedDatabaseWaiting',
    schema: { type: 'integer', minimum: 0, maximum: 100_000 },
    default: 50,
    expects:
      'queries waiting for a PostgreSQL connection past which requests are shed, from 0 (never) to 100000',
  },
} as const satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof variables;
