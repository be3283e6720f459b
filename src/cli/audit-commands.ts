// `enlace audit verify` checks an audit export offline (no server, database or configuration); `audit export` downloads one.
import { readFile, stat } from 'node:fs/promises';
import { CommanderError, type Command } from 'commander';
import {
  MAX_NOTE_BYTES,
  parseVerifierKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  type NoteVerifier,
  type SignatureType,
} from '../audit/note/index.js';
import {
  formatVerifySummary,
  verifyExport,
  type VerifyExportResult,
} from '../audit/verify-export/index.js';
import { printJson } from './io.js';
import {
  connectPartner,
  partnerAction,
  repeatable,
  withPartnerOptions,
  type PartnerOptions,
} from './partner-session.js';
import { progressBarFor } from './progress-bar.js';

/** Exit codes: 0 verified, 1 the export failed verification, 2 usage errors and unreadable inputs. */
export const VERIFY_FAILED_EXIT = 1;
export const VERIFY_USAGE_EXIT = 2;

interface VerifyOptions {
  readonly logKey: string;
  readonly checkpoint?: string;
  readonly witnessKey?: string[];
  readonly json?: boolean;
}

const EXAMPLE = `
Exit status: 0 verified, 1 verification failed (the first bad index is printed), 2 usage error or
unreadable input.

Example:
  curl -s https://gateway.example.org/audit/log-key > log.vkey
  enlace audit verify ./audit-export-2025-06 --log-key log.vkey \\
    --witness-key oversight.vkey --checkpoint checkpoint-kept-in-may.txt`;

function usage(message: string): never {
  process.stderr.write(`enlace: ${message}\n`);
  throw new CommanderError(VERIFY_USAGE_EXIT, 'enlace.audit.usage', message);
}

async function readKey(file: string, option: string, type: SignatureType): Promise<NoteVerifier> {
  const text = await readFile(file, 'utf8').catch(() => usage(`cannot read ${option} ${file}`));
  let key: NoteVerifier;
  try {
    key = parseVerifierKey(text.trim());
  } catch {
    return usage(`${option} ${file} does not hold a note verifier key`);
  }
  // Why: a witness key where the log key belongs (or the reverse) would fail for a reason no
  // auditor would guess from "signature verification failed".
  if (key.type !== type)
    usage(`${option} ${file} is not a ${option === '--log-key' ? 'log' : 'witness cosigner'} key`);
  return key;
}

async function readEarlier(file: string): Promise<Buffer> {
  const info = await stat(file).catch(() => usage(`cannot read --checkpoint ${file}`));
  if (!info.isFile() || info.size > MAX_NOTE_BYTES)
    usage(`--checkpoint ${file} is not a checkpoint note`);
  return readFile(file).catch(() => usage(`cannot read --checkpoint ${file}`));
}

interface VerifyInputs {
  readonly logKey: NoteVerifier;
  readonly checkpoint?: string;
  readonly witnessKey?: string[];
  readonly json?: boolean;
}

/** What `audit verify` checks, with its progress bar; shared by `audit export --verify`. */
async function verifyDirectory(dir: string, inputs: VerifyInputs): Promise<VerifyExportResult> {
  const witnessKeys: NoteVerifier[] = [];
  for (const file of inputs.witnessKey ?? [])
    witnessKeys.push(await readKey(file, '--witness-key', SIGNATURE_TYPE_COSIGNATURE_V1));
  const earlier =
    inputs.checkpoint === undefined ? undefined : await readEarlier(inputs.checkpoint);
  const bar = progressBarFor('entries', { json: inputs.json === true });
  const result = await verifyExport(dir, {
    logKey: inputs.logKey,
    witnessKeys,
    ...(earlier === undefined ? {} : { earlierCheckpoint: earlier }),
    ...(bar === undefined ? {} : { onProgress: bar.update }),
  });
  bar?.end();
  return result;
}

function checkVerified(result: VerifyExportResult): void {
  if (!result.ok)
    throw new CommanderError(VERIFY_FAILED_EXIT, 'enlace.audit.verifyFailed', result.message ?? '');
}

async function runVerify(dir: string, options: VerifyOptions): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) usage(`cannot read the export directory ${dir}`);
  const logKey = await readKey(options.logKey, '--log-key', SIGNATURE_TYPE_ED25519);
  const result = await verifyDirectory(dir, { ...options, logKey });
  if (options.json === true) printJson(result);
  else process.stdout.write(formatVerifySummary(dir, result));
  checkVerified(result);
}

interface ExportOptions extends PartnerOptions {
  readonly out: string;
  readonly since?: string;
  readonly until?: string;
  readonly verify?: boolean;
  readonly logKey?: string;
  readonly checkpoint?: string;
  readonly witnessKey?: string[];
}

const EXPORT_EXAMPLE = `
With --verify the directory is then checked as \`enlace audit verify\` checks it, against --log-key,
else the profile's auditLogKey, else the key the gateway serves (keep one from a channel you trust).
Exit status: 0 exported (and verified), 1 refused or verification failed, 2 usage error, 78 profile.

Example:
  enlace audit export --out ./audit-export-2026-12 --since 2026-12-01T00:00:00Z \\
    --verify --log-key log.vkey --checkpoint checkpoint-kept-in-november.txt`;

async function runExport(env: Env, options: ExportOptions): Promise<void> {
  // Why before connecting: a wrong key file is a usage error, not a half-done export.
  const givenKey =
    options.logKey === undefined
      ? undefined
      : await readKey(options.logKey, '--log-key', SIGNATURE_TYPE_ED25519);
  const client = await connectPartner(env, options);
  const bar = progressBarFor('files', options);
  const exported = await client.audit.export({
    into: options.out,
    ...(options.since === undefined ? {} : { since: options.since }),
    ...(options.until === undefined ? {} : { until: options.until }),
    ...(bar === undefined ? {} : { onProgress: bar.update }),
  });
  bar?.end();
  const summary = {
    id: exported.id,
    directory: exported.directory,
    entries: exported.entries,
    files: exported.files,
    manifest: exported.manifest,
  };
  if (options.verify !== true) {
    if (options.json === true) printJson(summary);
    else process.stdout.write(`${exported.entries} entries exported into ${exported.directory}\n`);
    return;
  }
  const logKey = givenKey ?? parseVerifierKey(await client.audit.logKey());
  const result = await verifyDirectory(exported.directory, { ...options, logKey });
  if (options.json === true) printJson({ ...summary, verification: result });
  else
    process.stdout.write(
      `${exported.entries} entries exported into ${exported.directory}\n${formatVerifySummary(exported.directory, result)}`,
    );
  checkVerified(result);
}

/** The `audit` command group, created once whichever of its commands registers first. */
export function auditCommand(program: Command): Command {
  return (
    program.commands.find((command) => command.name() === 'audit') ??
    program
      .command('audit')
      .description('the tamper-evident audit log: verify exports, witness checkpoints')
  );
}

type Env = Readonly<Record<string, string | undefined>>;

export function addAuditCommands(program: Command, env: Env): Command {
  const audit = auditCommand(program);
  withPartnerOptions(
    audit
      .command('export')
      .description(
        "export the audit log (an oversight body's token): kick off $export, wait, download every file into --out",
      ),
  )
    .requiredOption(
      '--out <dir>',
      'the directory to download into (created 0700; files never overwritten)',
    )
    .option('--since <instant>', 'only entries recorded at or after this FHIR instant')
    .option('--until <instant>', 'only entries recorded before this FHIR instant')
    .option('--verify', 'then verify the directory offline, as `enlace audit verify` does')
    .option('--log-key <file>', "with --verify: file holding the log's verifier key")
    .option('--checkpoint <file>', 'with --verify: an earlier checkpoint of this log you kept')
    .option(
      '--witness-key <file>',
      'with --verify: a witness verifier key that must have cosigned (repeatable)',
      repeatable,
    )
    .addHelpText('after', EXPORT_EXAMPLE)
    .action((options: ExportOptions) => partnerAction(options, () => runExport(env, options)));
  audit
    .command('verify')
    .description(
      'verify an audit export offline: every entry against the signed checkpoint, witness cosignatures, consistency with an earlier checkpoint',
    )
    .argument('<export-dir>', 'the export directory (holding manifest.json)')
    .requiredOption(
      '--log-key <file>',
      "file holding the log's verifier key (as GET /audit/log-key serves it)",
    )
    .option('--checkpoint <file>', 'an earlier checkpoint of this log you kept (a signed note)')
    .option(
      '--witness-key <file>',
      'a witness verifier key that must have cosigned the checkpoint (repeatable)',
      (file: string, files: string[] | undefined) => [...(files ?? []), file],
    )
    .option('--json', 'print one JSON object instead of the summary')
    .addHelpText('after', EXAMPLE)
    // Why: commander exits 1 on a usage error, the code that here means "verification failed".
    .exitOverride((error) => {
      throw error.exitCode === 0
        ? error
        : new CommanderError(VERIFY_USAGE_EXIT, error.code, error.message);
    })
    .action(runVerify);
  return audit;
}
