// `enlace audit verify`: checks an audit export offline; needs no server, database or configuration.
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
import { formatVerifySummary, verifyExport } from '../audit/verify-export/index.js';
import { printJson } from './io.js';
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

async function runVerify(dir: string, options: VerifyOptions): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) usage(`cannot read the export directory ${dir}`);
  const logKey = await readKey(options.logKey, '--log-key', SIGNATURE_TYPE_ED25519);
  const witnessKeys: NoteVerifier[] = [];
  for (const file of options.witnessKey ?? [])
    witnessKeys.push(await readKey(file, '--witness-key', SIGNATURE_TYPE_COSIGNATURE_V1));
  const earlier =
    options.checkpoint === undefined ? undefined : await readEarlier(options.checkpoint);
  const bar = progressBarFor('entries', { json: options.json === true });
  const result = await verifyExport(dir, {
    logKey,
    witnessKeys,
    ...(earlier === undefined ? {} : { earlierCheckpoint: earlier }),
    ...(bar === undefined ? {} : { onProgress: bar.update }),
  });
  bar?.end();
  if (options.json === true) printJson(result);
  else process.stdout.write(formatVerifySummary(dir, result));
  if (!result.ok)
    throw new CommanderError(VERIFY_FAILED_EXIT, 'enlace.audit.verifyFailed', result.message ?? '');
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

export function addAuditCommands(program: Command): Command {
  const audit = auditCommand(program);
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
