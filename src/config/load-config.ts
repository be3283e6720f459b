// Reads ENLACE_* variables (and ENLACE_*_FILE for secrets), validates them with ajv, and fails fast with one clear line.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { variables, type VariableName, type VariableSpec } from './variables.js';

export type Profile = 'development' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  readonly host: string;
  readonly port: number;
  /** Base URL partners use; defaults to http://host:port. No trailing slash. */
  readonly publicUrl: string;
  readonly profile: Profile;
  /** Absolute path. */
  readonly dataDir: string;
  /** Undefined selects the embedded SQLite database in the data directory. */
  readonly databaseUrl: string | undefined;
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
  const publicUrl = trimSlash((values.publicUrl as string | undefined) ?? defaultUrl(host, port));
  const config: Config = {
    host,
    port,
    publicUrl,
    profile: values.profile as Profile,
    dataDir: resolve(values.dataDir as string),
    databaseUrl: values.databaseUrl as string | undefined,
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
    deliveryPollSeconds: values.deliveryPollSeconds as number,
    dataKeysFile: optionalPath(values.dataKeysFile),
    allowPlainSubmissions: allowPlain(values.allowPlainSubmissions, values.profile as Profile),
    logLevel: values.logLevel as LogLevel,
    bodyLimitBytes: values.bodyLimitBytes as number,
    jsonMaxDepth: values.jsonMaxDepth as number,
    workers: workersOf(values.workers, values.profile as Profile),
    shutdownGraceMs: values.shutdownGraceMs as number,
    headersTimeoutMs: values.headersTimeoutMs as number,
    requestTimeoutMs: values.requestTimeoutMs as number,
    keepAliveTimeoutMs: values.keepAliveTimeoutMs as number,
    maxHeaderSize: values.maxHeaderSize as number,
    maxConnections: values.maxConnections as number,
  };
  if (config.requestTimeoutMs <= config.headersTimeoutMs) {
    throw new ConfigError(
      `ENLACE_REQUEST_TIMEOUT_MS must be greater than ENLACE_HEADERS_TIMEOUT_MS (got ${config.requestTimeoutMs} and ${config.headersTimeoutMs})`,
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

const defaultUrl = (host: string, port: number): string =>
  `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;

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
