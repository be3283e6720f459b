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
} as const satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof variables;
