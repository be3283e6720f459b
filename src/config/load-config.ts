// Reads ENLACE_* variables (and ENLACE_*_FILE for secrets), validates them with ajv, and fails fast with one clear line.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { Ajv } from 'ajv';
import type { ClientCertificateMode } from '../kernel/index.js';
import { variables, type VariableName, type VariableSpec } from './variables.js';

export type Profile = 'development' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Native TLS: set when ENLACE_TLS_CERT_FILE and ENLACE_TLS_KEY_FILE both are. Paths are absolute. */
export interface TlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  /** Intermediate CA certificates sent after the server certificate. */
  readonly caFile: string | undefined;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  /** Whether partners' connections carry a client certificate of the network's CAs. */
  readonly clientAuth: ClientCertificateMode;
}

/** ENLACE_DATABASE_POOL_MAX and the ENLACE_DATABASE_*_TIMEOUT_MS variables. */
export interface DatabasePoolConfig {
  readonly max: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly idleTransactionTimeoutMs: number;
}

export interface Config {
  readonly host: string;
  readonly port: number;
  /** Base URL partners use; defaults to http://host:port (https:// with TLS). No trailing slash. */
  readonly publicUrl: string;
  /** Undefined: the gateway listens in plain HTTP (behind a TLS-terminating proxy, or in development). */
  readonly tls: TlsConfig | undefined;
  /** Whether every response carries Strict-Transport-Security: with TLS, or a public URL in https. */
  readonly hsts: boolean;
  readonly profile: Profile;
  /** Absolute path. */
  readonly dataDir: string;
  /** Undefined selects the embedded SQLite database in the data directory. */
  readonly databaseUrl: string | undefined;
  /** `check` leaves migrations to `enlace db migrate` (run as the schema owner) and refuses an old schema. */
  readonly databaseMigrations: 'apply' | 'check';
  /** PostgreSQL pool limits and session timeouts; the embedded SQLite database ignores them. */
  readonly databasePool: DatabasePoolConfig;
  /** Undefined selects the policy shipped in policy/network-policy.json. */
  readonly policyFile: string | undefined;
  readonly trustAnchorsFile: string | undefined;
  readonly trustCrlFiles: readonly string[];
  /**
   * Folder of external anchors (`anchors/*.pem`) and CRLs (`crls/`), loaded besides the two above;
   * `./certs` in development, none unless configured in production.
   */
  readonly certsDir: string | undefined;
  /** Tolerated clock difference for token times and certificate validity. */
  readonly clockSkewSeconds: number;
  /** Seals operators' TOTP secrets; undefined uses a generated file in the data directory. */
  readonly peopleSecret: Uint8Array | undefined;
  /** Survivor pseudonym keys (JSON, owner-only file); undefined uses a generated file in the data directory. */
  readonly pseudonymKeysFile: string | undefined;
  /** What a data class no consent speaks to gets: `no-consent` (ships) or, where the law says so, `permit`. */
  readonly consentDefaultDecision: 'no-consent' | 'permit';
  /** How often each instance stops expired break-the-glass grants and writes their STOP events. */
  readonly emergencySweepSeconds: number;
  /**
   * The audit log's C2SP origin line and its key's name, for a new log; derived from the public URL
   * by default. An existing log keeps the origin it was created with unless one is configured.
   */
  readonly auditLogOrigin: string;
  /** Whether ENLACE_AUDIT_LOG_ORIGIN was set: then an existing log under another name is refused. */
  readonly auditLogOriginConfigured: boolean;
  readonly checkpointEntries: number;
  readonly checkpointSeconds: number;
  readonly exportRetentionHours: number;
  /** Lowercase host[:port] patterns the delivery worker may push to; empty pushes nowhere. */
  readonly deliveryAllowedHosts: readonly string[];
  /** How long after it was queued a push is retried before it is dead-lettered. */
  readonly deliveryHorizonHours: number;
  /** Time allowed for one push, connection to response. */
  readonly deliveryTimeoutMs: number;
  /** How long an instance holds an outbox row it claimed; another may take it over after. */
  readonly deliveryLeaseMs: number;
  /** Pause between the delivery worker's passes. */
  readonly deliveryPollSeconds: number;
  /** Key-encryption keys for case payloads at rest (JSON, owner-only file); undefined uses a generated file in the data directory. */
  readonly dataKeysFile: string | undefined;
  /**
   * Whether `$process-message` accepts unencrypted `application/fhir+json` messages (still signed);
   * on by default in development only, and never in production.
   */
  readonly allowPlainSubmissions: boolean;
  readonly logLevel: LogLevel;
  /**
   * The bearer token GET /metrics requires; undefined when ENLACE_METRICS is off, and then the route
   * answers 404 as if it did not exist.
   */
  readonly metricsToken: string | undefined;
  /** The OTLP/HTTP collector traces are sent to; undefined: tracing off. */
  readonly otlpEndpoint: string | undefined;
  readonly bodyLimitBytes: number;
  readonly jsonMaxDepth: number;
  /**
   * Processes serving HTTP: 1 serves from this process; more makes it a cluster primary that runs
   * the once-per-gateway duties and forks that many workers sharing the listening socket.
   */
  readonly workers: number;
  readonly shutdownGraceMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxHeaderSize: number;
  /** Open connections the server accepts; one more is closed at once (Node `maxConnections`). */
  readonly maxConnections: number;
  /** Requests per minute per authenticated client (partner client or person); 0 is no limit. */
  readonly rateLimitClientPerMinute: number;
  /** Requests per minute per source address of callers without a credential; 0 is no limit. */
  readonly rateLimitAnonymousPerMinute: number;
  /** Requests per minute per source address to the token and sign-in endpoints; 0 is no limit. */
  readonly rateLimitTokenPerMinute: number;
  /** Redis holding the rate-limit counters; undefined keeps them in the database. */
  readonly redisUrl: string | undefined;
  /** Event loop delay past which new requests are shed with 503; 0 never. */
  readonly loadShedEventLoopDelayMs: number;
  /** PostgreSQL queries waiting for a connection past which new requests are shed; 0 never. */
  readonly loadShedDatabaseWaiting: number;
}

/** A start-up refusal: its message is the one line an operator needs. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  readonly config: Config;
  /** Unknown ENLACE_* variables, most likely typos, for the caller to log. */
  readonly warnings: readonly string[];
}

const ajv = new Ajv({ allErrors: false, strict: true });
const validators = new Map(
  Object.entries(variables).map(([name, spec]: [string, VariableSpec]) => [
    name,
    ajv.compile(spec.schema),
  ]),
);

/** Builds the configuration from an environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): LoadedConfig {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(variables) as [VariableName, VariableSpec][]) {
    const raw = readRaw(env, name, spec);
    if (raw === undefined) {
      if (spec.default !== undefined) values[spec.key] = spec.default;
      continue;
    }
    const coerced = coerce(raw, spec);
    if (coerced === undefined || validators.get(name)?.(coerced) !== true) {
      // Why: a secret's value (a password in a database URL) never appears in a message.
      const got = spec.secret === true ? 'a value that does not match' : `got ${quote(raw)}`;
      throw new ConfigError(`${name} must be ${spec.expects} (${got})`);
    }
    values[spec.key] = coerced;
  }
  const host = values.host as string;
  const port = values.port as number;
  const tls = tlsOf(values);
  const publicUrl = trimSlash(
    (values.publicUrl as string | undefined) ??
      defaultUrl(tls === undefined ? 'http' : 'https', host, port),
  );
  // Why refuse: tokens, discovery and the audit log name the public URL; with TLS on, an http one
  // would send partners to a port that speaks only TLS, or teach them to send tokens in the clear.
  if (tls !== undefined && !publicUrl.startsWith('https://')) {
    throw new ConfigError(
      `ENLACE_PUBLIC_URL must be an https URL when ENLACE_TLS_CERT_FILE is set (got ${quote(publicUrl)})`,
    );
  }
  const config: Config = {
    host,
    port,
    publicUrl,
    tls,
    hsts: tls !== undefined || publicUrl.startsWith('https://'),
    profile: values.profile as Profile,
    dataDir: resolve(values.dataDir as string),
    databaseUrl: values.databaseUrl as string | undefined,
    databaseMigrations: values.databaseMigrations as 'apply' | 'check',
    databasePool: {
      max: values.databasePoolMax as number,
      connectTimeoutMs: values.databaseConnectTimeoutMs as number,
      statementTimeoutMs: values.databaseStatementTimeoutMs as number,
      idleTransactionTimeoutMs: values.databaseIdleTransactionTimeoutMs as number,
    },
    policyFile: values.policyFile === undefined ? undefined : resolve(values.policyFile as string),
    trustAnchorsFile: optionalPath(values.trustAnchorsFile),
    trustCrlFiles:
      values.trustCrlFiles === undefined
        ? []
        : (values.trustCrlFiles as string)
            .split(delimiter)
            .filter((path) => path !== '')
            .map((path) => resolve(path)),
    certsDir: certsDirOf(values.certsDir, values.profile as Profile),
    clockSkewSeconds: values.clockSkewSeconds as number,
    peopleSecret:
      values.peopleSecret === undefined
        ? undefined
        : Buffer.from(values.peopleSecret as string, 'base64'),
    pseudonymKeysFile: optionalPath(values.pseudonymKeysFile),
    consentDefaultDecision: values.consentDefaultDecision as 'no-consent' | 'permit',
    emergencySweepSeconds: values.emergencySweepSeconds as number,
    auditLogOrigin: (values.auditLogOrigin as string | undefined) ?? defaultLogOrigin(publicUrl),
    auditLogOriginConfigured: values.auditLogOrigin !== undefined,
    checkpointEntries: values.checkpointEntries as number,
    checkpointSeconds: values.checkpointSeconds as number,
    exportRetentionHours: values.exportRetentionHours as number,
    deliveryAllowedHosts: hostPatterns(values.deliveryAllowedHosts),
    deliveryHorizonHours: values.deliveryHorizonHours as number,
    deliveryTimeoutMs: values.deliveryTimeoutMs as number,
    deliveryLeaseMs:
      (values.deliveryLeaseMs as number | undefined) ??
      (values.deliveryTimeoutMs as number) * 3 + 30_000,
    deliveryPollSeconds: values.deliveryPollSeconds as number,
    dataKeysFile: optionalPath(values.dataKeysFile),
    allowPlainSubmissions: allowPlain(values.allowPlainSubmissions, values.profile as Profile),
    logLevel: values.logLevel as LogLevel,
    metricsToken: metricsTokenOf(values.metrics, values.metricsToken),
    otlpEndpoint: values.otlpEndpoint as string | undefined,
    bodyLimitBytes: values.bodyLimitBytes as number,
    jsonMaxDepth: values.jsonMaxDepth as number,
    workers: workersOf(values.workers, values.profile as Profile),
    shutdownGraceMs: values.shutdownGraceMs as number,
    headersTimeoutMs: values.headersTimeoutMs as number,
    requestTimeoutMs: values.requestTimeoutMs as number,
    keepAliveTimeoutMs: values.keepAliveTimeoutMs as number,
    maxHeaderSize: values.maxHeaderSize as number,
    maxConnections: values.maxConnections as number,
    rateLimitClientPerMinute: values.rateLimitClientPerMinute as number,
    rateLimitAnonymousPerMinute: values.rateLimitAnonymousPerMinute as number,
    rateLimitTokenPerMinute: values.rateLimitTokenPerMinute as number,
    redisUrl: values.redisUrl as string | undefined,
    loadShedEventLoopDelayMs: values.loadShedEventLoopDelayMs as number,
    loadShedDatabaseWaiting: values.loadShedDatabaseWaiting as number,
  };
  if (config.requestTimeoutMs <= config.headersTimeoutMs) {
    throw new ConfigError(
      `ENLACE_REQUEST_TIMEOUT_MS must be greater than ENLACE_HEADERS_TIMEOUT_MS (got ${config.requestTimeoutMs} and ${config.headersTimeoutMs})`,
    );
  }
  // Why: a lease that can end while its attempt still runs lets a second instance push the same
  // row at the same time.
  if (config.deliveryLeaseMs <= config.deliveryTimeoutMs) {
    throw new ConfigError(
      `ENLACE_DELIVERY_LEASE_MS must be greater than ENLACE_DELIVERY_TIMEOUT_MS (got ${config.deliveryLeaseMs} and ${config.deliveryTimeoutMs})`,
    );
  }
  const warnings = unknownVariables(env);
  if (port === 0 && values.publicUrl === undefined) {
    // The port is chosen only at listen, after every URL the gateway advertises has been fixed.
    warnings.push(
      'ENLACE_PORT=0 without ENLACE_PUBLIC_URL: discovery, token audiences and a new audit log name port 0; set ENLACE_PUBLIC_URL to the address partners use',
    );
  }
  return { config, warnings };
}

/**
 * Why production refuses plain submissions outright: case data must reach the gateway encrypted end
 * to end (TLS ends at a proxy, and proxies log); a development gateway may take them for testing.
 */
function allowPlain(value: unknown, profile: Profile): boolean {
  if (value === undefined) return profile === 'development';
  if (value === 'true' && profile === 'production') {
    throw new ConfigError(
      'ENLACE_ALLOW_PLAIN_SUBMISSIONS=true is refused in the production profile: referrals must arrive encrypted (application/jose)',
    );
  }
  return value === 'true';
}

/**
 * Why a token is required whenever metrics are on: the figures (traffic, refusals, dead letters,
 * pool use) tell an outsider how the network works and when it struggles, so they are never served
 * to anyone who asks; and a token set while metrics are off is most likely a mistake.
 */
function metricsTokenOf(metrics: unknown, token: unknown): string | undefined {
  if (metrics === 'on' && typeof token !== 'string') {
    throw new ConfigError(
      'ENLACE_METRICS=on requires ENLACE_METRICS_TOKEN (or ENLACE_METRICS_TOKEN_FILE): GET /metrics is never served without a token',
    );
  }
  if (metrics !== 'on' && typeof token === 'string') {
    throw new ConfigError(
      'ENLACE_METRICS_TOKEN is set but ENLACE_METRICS is off; set ENLACE_METRICS=on',
    );
  }
  return metrics === 'on' ? (token as string) : undefined;
}

/** Why production defaults to every core: one event loop saturates one core, the rest sit idle. */
function workersOf(value: unknown, profile: Profile): number {
  if (typeof value === 'number') return value;
  return profile === 'production' ? Math.min(64, Math.max(1, availableParallelism())) : 1;
}

/** The folder `npm start` reads external anchors and CRLs from when none is configured. */
const DEVELOPMENT_CERTS_DIR = './certs';

/**
 * Why production has no default: trust anchors decide who may connect, so a production gateway
 * trusts only what its operator named, never a file that happens to lie in its working directory.
 */
function certsDirOf(value: unknown, profile: Profile): string | undefined {
  if (typeof value === 'string') return resolve(value);
  return profile === 'development' ? resolve(DEVELOPMENT_CERTS_DIR) : undefined;
}

function readRaw(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  spec: VariableSpec,
): string | undefined {
  const direct = env[name];
  const file = spec.secret === true ? env[`${name}_FILE`] : undefined;
  if (direct !== undefined && file !== undefined) {
    throw new ConfigError(`${name} and ${name}_FILE are both set; set only one of them`);
  }
  if (file === undefined) return direct === '' ? undefined : direct;
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch {
    // Why: the path is the operator's own; the file content never appears in the message.
    throw new ConfigError(`${name}_FILE must name a readable file (got ${quote(file)})`);
  }
}

function coerce(raw: string, spec: VariableSpec): unknown {
  if (spec.schema.type !== 'integer') return raw;
  if (!/^-?\d+$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

function unknownVariables(env: Readonly<Record<string, string | undefined>>): string[] {
  const known = new Set<string>();
  for (const [name, spec] of Object.entries(variables) as [string, VariableSpec][]) {
    known.add(name);
    if (spec.secret === true) known.add(`${name}_FILE`);
  }
  return Object.keys(env)
    .filter((name) => name.startsWith('ENLACE_') && !name.startsWith('ENLACE_TEST_'))
    .filter((name) => !known.has(name))
    .map((name) => `unknown configuration variable ${name} is ignored`);
}

const HOST_PATTERN = /^(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$/;

/** Splits ENLACE_DELIVERY_ALLOWED_HOSTS; a malformed entry stops the start rather than silently allowing less or more. */
function hostPatterns(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  const entries = value
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const port = /:([0-9]{1,5})$/.exec(entry)?.[1];
    if (!HOST_PATTERN.test(entry) || (port !== undefined && Number(port) > 65535)) {
      throw new ConfigError(
        `ENLACE_DELIVERY_ALLOWED_HOSTS must be ${variables.ENLACE_DELIVERY_ALLOWED_HOSTS.expects} (got ${quote(entry)})`,
      );
    }
  }
  return entries;
}

const defaultUrl = (scheme: 'http' | 'https', host: string, port: number): string =>
  `${scheme}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;

/**
 * The TLS settings, or undefined for plain HTTP. Why one of the two files alone is refused: the
 * operator meant TLS, and a gateway that silently fell back to plain HTTP would carry tokens and
 * case data in the clear.
 */
function tlsOf(values: Record<string, unknown>): TlsConfig | undefined {
  const { tlsCertFile, tlsKeyFile, tlsCaFile, tlsClientAuth } = values;
  if (tlsCertFile === undefined && tlsKeyFile === undefined) {
    if (tlsCaFile !== undefined) {
      throw new ConfigError(
        'ENLACE_TLS_CA_FILE is set without ENLACE_TLS_CERT_FILE and ENLACE_TLS_KEY_FILE',
      );
    }
    if (tlsClientAuth !== 'off') {
      throw new ConfigError(
        `ENLACE_TLS_CLIENT_AUTH=${String(tlsClientAuth)} needs native TLS: set ENLACE_TLS_CERT_FILE and ENLACE_TLS_KEY_FILE`,
      );
    }
    return undefined;
  }
  if (tlsCertFile === undefined || tlsKeyFile === undefined) {
    const [set, missing] =
      tlsCertFile === undefined
        ? ['ENLACE_TLS_KEY_FILE', 'ENLACE_TLS_CERT_FILE']
        : ['ENLACE_TLS_CERT_FILE', 'ENLACE_TLS_KEY_FILE'];
    throw new ConfigError(`${set} is set without ${missing}; set both to serve TLS, or neither`);
  }
  return {
    certFile: resolve(tlsCertFile as string),
    keyFile: resolve(tlsKeyFile as string),
    caFile: optionalPath(tlsCaFile),
    minVersion: values.tlsMinVersion as TlsConfig['minVersion'],
    clientAuth: tlsClientAuth as ClientCertificateMode,
  };
}

const optionalPath = (value: unknown): string | undefined =>
  typeof value === 'string' ? resolve(value) : undefined;

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

// Show at most 64 characters of a value, so a pasted blob does not flood the log.
const quote = (raw: string): string =>
  JSON.stringify(raw.length > 64 ? `${raw.slice(0, 64)}…` : raw);

/** `https://gw.example.org/base` → `gw.example.org/base/audit-log`: where the log lives, without a scheme. */
function defaultLogOrigin(publicUrl: string): string {
  const url = new URL(publicUrl);
  return `${url.host}${url.pathname === '/' ? '' : url.pathname}/audit-log`;
}
