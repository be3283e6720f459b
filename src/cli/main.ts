// The `enlace` command: the operator's (serve, pki, partner, user, keys, audit, db) and the partner's (keys generate, csr, token, send, inbox, get, Task steps, consent, deliveries). Errors print one line on stderr and set the exit code.
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/index.js';
import { isGatewayError, readPackageInfo } from '../kernel/index.js';
import { main as serve } from '../main.js';
import { withContext } from './context.js';
import { certificateIssuerFor } from '../partners/index.js';
import { WitnessAlarm } from '../audit/witness/index.js';
import { addAuditCommands } from './audit-commands.js';
import { addWitnessCommands, WITNESS_ALARM_EXIT } from './witness-commands.js';
import { addPartnerCommands, type RunWithContext } from './partner-commands.js';
import { addKeyCommands } from './key-commands.js';
import { addPkiCommands, pkiOf } from './pki-commands.js';
import { addUserCommands } from './user-commands.js';
import { addCredentialCommands } from './credential-commands.js';
import { addReferralCommands } from './referral-commands.js';
import { addConsentCommands } from './consent-commands.js';
import { addDeliveryCommands } from './delivery-commands.js';
import { addCompletionCommand } from './completion-command.js';
import { addDbCommands } from './db-commands.js';
import { EXIT_CONFIG, EXIT_FAILED, EXIT_USAGE, EXIT_VERIFICATION } from './exit-codes.js';
import {
  EnlaceError,
  EnlaceOAuthError,
  EnlaceProtocolError,
  EnlaceVerificationError,
} from '../sdk/index.js';

export function buildProgram(env: Readonly<Record<string, string | undefined>>): Command {
  const program = new Command('enlace')
    .description('Enlace interoperability gateway')
    .version(readPackageInfo().version)
    .exitOverride();
  const run: RunWithContext = (work, options) => withContext(env, work, options);
  program
    .command('serve')
    .description('run the gateway (as npm start does)')
    .action(() => serve(env));
  addPartnerCommands(program, run, (context) => certificateIssuerFor(pkiOf(context)));
  addUserCommands(program, run);
  addPkiCommands(program, run);
  addKeyCommands(program, run);
  addWitnessCommands(addAuditCommands(program, env), run);
  addCredentialCommands(program, env);
  addReferralCommands(program, env);
  addConsentCommands(program, env);
  addDeliveryCommands(program, env);
  addDbCommands(program, env);
  addCompletionCommand(program);
  return program;
}

/** Runs the command line; returns the exit code instead of exiting, so tests can call it. */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  const program = buildProgram(env);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Why: commander exits 1 on a usage error, the code that here means the gateway refused.
      return err.exitCode === 1 && err.code.startsWith('commander.') ? EXIT_USAGE : err.exitCode;
    }
    if (err instanceof EnlaceVerificationError) {
      process.stderr.write(`enlace: ${err.message}: nothing received was trusted\n`);
      return EXIT_VERIFICATION;
    }
    if (err instanceof EnlaceError) {
      const request = err.requestId === undefined ? '' : ` (request ${err.requestId})`;
      process.stderr.write(`enlace: ${err.message}${request}\n`);
      return EXIT_FAILED;
    }
    if (err instanceof EnlaceOAuthError || err instanceof EnlaceProtocolError) {
      process.stderr.write(`enlace: the gateway refused: ${err.message}\n`);
      return EXIT_FAILED;
    }
    if (err instanceof WitnessAlarm) {
      // Why loud and its own code: a witness that keeps cosigning after a split view vouches for it.
      process.stderr.write(`enlace: WITNESS ALARM: ${err.message}\n`);
      return WITNESS_ALARM_EXIT;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`enlace: invalid configuration: ${err.message}\n`);
      return EXIT_CONFIG;
    }
    if (isGatewayError(err) && err.expose) {
      process.stderr.write(`enlace: ${err.message} (${err.code})\n`);
      return 1;
    }
    process.stderr.write(`enlace: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  process.exitCode = await runCli(process.argv.slice(2), process.env);
}
