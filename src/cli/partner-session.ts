// What every partner-side command shares: its profile file, the SDK client it connects, --json output, usage errors.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { CommanderError, type Command } from 'commander';
import { ConfigError } from '../config/index.js';
import {
  connect,
  EnlaceError,
  readDecryptionKey,
  readProfile,
  readSigningKey,
  type EnlaceClient,
  type Profile,
} from '../sdk/index.js';
import { EXIT_USAGE } from './exit-codes.js';
import { printJson } from './io.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The two options every partner-side command takes. */
export interface PartnerOptions {
  readonly profile?: string;
  readonly json?: boolean;
}

/** `$XDG_CONFIG_HOME/enlace/profile.json`, else `~/.config/enlace/profile.json`. */
export function defaultProfilePath(env: Env): string {
  const config = env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), '.config');
  return join(config, 'enlace', 'profile.json');
}

export const profilePathOf = (env: Env, options: PartnerOptions): string =>
  resolve(options.profile ?? defaultProfilePath(env));

const reasonOf = (err: unknown): string =>
  (err as NodeJS.ErrnoException).code === 'ENOENT'
    ? `${(err as NodeJS.ErrnoException).path ?? 'a file'} does not exist`
    : err instanceof Error
      ? err.message
      : String(err);

/** The profile, or exit 78 with what is wrong and how to write one. */
export async function loadProfile(env: Env, options: PartnerOptions): Promise<Profile> {
  const path = profilePathOf(env, options);
  try {
    return await readProfile(path);
  } catch (err) {
    throw new ConfigError(
      `cannot read the profile ${path}: ${reasonOf(err)}; write one with \`enlace profile init\` or name it with --profile`,
    );
  }
}

async function configured<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw new ConfigError(`the profile's ${what}: ${reasonOf(err)}`);
  }
}

/** Connects with the SDK, the profile's key files read first so that a bad one is a configuration error. */
export async function connectPartner(env: Env, options: PartnerOptions): Promise<EnlaceClient> {
  const profile = await loadProfile(env, options);
  const signingKey = await configured('signingKey', () =>
    readSigningKey({
      key: profile.signingKey,
      ...(profile.certificate === undefined ? {} : { certificate: profile.certificate }),
      ...(profile.kid === undefined ? {} : { kid: profile.kid }),
      ...(profile.alg === undefined ? {} : { alg: profile.alg }),
    }),
  );
  const { decryptionKey: decryptionFile, networkCa: caFile } = profile;
  const decryptionKey =
    decryptionFile === undefined
      ? undefined
      : await configured('decryptionKey', () => readDecryptionKey(decryptionFile));
  const networkCa =
    caFile === undefined
      ? undefined
      : await configured('networkCa', () => readFile(caFile, 'utf8'));
  return connect({
    gateway: profile.gateway,
    clientId: profile.clientId,
    signingKey,
    ...(decryptionKey === undefined ? {} : { decryptionKey }),
    ...(networkCa === undefined ? {} : { networkCa }),
    ...(profile.scope === undefined ? {} : { scope: profile.scope }),
    ...(profile.auditLogKey === undefined ? {} : { audit: { logKey: profile.auditLogKey } }),
  });
}

/** Adds `--profile` and `--json`, the options every partner-side command takes. */
export function withPartnerOptions(command: Command): Command {
  return command
    .option('--profile <file>', 'the profile file (default ~/.config/enlace/profile.json)')
    .option('--json', 'print JSON for scripts instead of lines for people');
}

/** A usage error: one line on stderr, exit 2. */
export function usageError(message: string): never {
  process.stderr.write(`enlace: ${message}\n`);
  throw new CommanderError(EXIT_USAGE, 'enlace.usage', message);
}

/** Prints `json` with --json, else the lines for people. */
export function report(options: PartnerOptions, json: unknown, lines: string | string[]): void {
  if (options.json === true) {
    printJson(json);
    return;
  }
  const text = typeof lines === 'string' ? lines : lines.join('\n');
  process.stdout.write(text === '' ? '' : `${text}\n`);
}

/** The refusal as a script reads it: status, Enlace code, the one-line message, the OperationOutcome. */
export function errorJson(err: unknown): Record<string, unknown> {
  if (err instanceof EnlaceError) {
    return {
      status: err.status,
      ...(err.code === undefined ? {} : { code: err.code }),
      ...(err.requestId === undefined ? {} : { requestId: err.requestId }),
      message: err.message,
      outcome: err.outcome,
    };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

/**
 * Runs a partner command's work. With --json a refusal is also printed on stdout, as
 * `{"error": {…}}`, before the command line prints its one line on stderr and sets the exit code.
 */
export async function partnerAction(
  options: PartnerOptions,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (options.json === true && !(err instanceof CommanderError))
      printJson({ error: errorJson(err) });
    throw err;
  }
}

/** `<system>|<value>`, as FHIR token search writes an identifier. */
export function readIdentifier(text: string, option: string): { system: string; value: string } {
  const bar = text.lastIndexOf('|');
  const system = text.slice(0, bar);
  const value = text.slice(bar + 1);
  if (bar <= 0 || value === '')
    usageError(
      `${option} must be <system>|<value>, e.g. https://registro.example.org/fhir/NamingSystem/cedula|4.512.337-1`,
    );
  return { system, value };
}

/** Checks a code against its list; a usage error naming the list otherwise. */
export function oneOf<T extends string>(codes: readonly T[], value: string, option: string): T {
  if (!(codes as readonly string[]).includes(value)) {
    usageError(`${option} must be one of ${codes.join(', ')} (got ${value})`);
  }
  return value as T;
}

/** Collects a repeatable option. */
export const repeatable = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];
