// `enlace audit witness keygen|add|list|run`: the oversight body's side of the log, and the operator's registry of witnesses.
import { chmod, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { commandLineActor, auditSubtype, auditType, buildAuditEvent } from '../audit/index.js';
import { listWitnesses, registerWitness } from '../audit/ledger/index.js';
import { generateCosignerKey, parseSignerKey, parseVerifierKey } from '../audit/note/index.js';
import { WitnessAlarm, witnessOnce } from '../audit/witness/index.js';
import { printJson, readInput } from './io.js';
import type { RunWithContext } from './partner-commands.js';

/** Exit code of a witness that saw the log contradict itself: distinct, so monitoring can page someone. */
export const WITNESS_ALARM_EXIT = 3;

interface RunOptions {
  readonly gateway: string;
  readonly logKey: string;
  readonly key: string;
  readonly state: string;
  readonly interval: string;
  readonly once?: boolean;
}

export function addWitnessCommands(audit: Command, run: RunWithContext): void {
  const witness = audit
    .command('witness')
    .description(
      'witnesses: oversight bodies that cosign the log’s checkpoints and detect split views',
    );

  witness
    .command('keygen <name>')
    .description('create a witness key pair (C2SP cosignature/v1, Ed25519); prints the public key')
    .requiredOption('--out <file>', 'where to write the private key (mode 0600)')
    .addHelpText(
      'after',
      '\nExample:\n  enlace audit witness keygen oversight.example.org/witness --out witness.key',
    )
    .action(async (name: string, options: { out: string }) => {
      const pair = generateCosignerKey(name);
      await writeFile(options.out, `${pair.signerKey}\n`, { mode: 0o600, flag: 'wx' });
      await chmod(options.out, 0o600);
      process.stdout.write(`${pair.verifierKey}\n`);
    });

  witness
    .command('add')
    .description(
      'operator: register a witness by its public key, so the gateway keeps its cosignatures',
    )
    .requiredOption(
      '--key <file>',
      'file holding the witness verifier key (- reads standard input)',
    )
    .addHelpText('after', '\nExample:\n  enlace audit witness add --key witness.pub')
    .action((options: { key: string }) =>
      run(async ({ store, clock }) => {
        const key = (await readInput(options.key)).trim();
        const registered = await store.transaction(async (unit) => {
          const added = await registerWitness(unit.db, key, clock());
          await unit.audit.append(
            buildAuditEvent({
              type: auditType.applicationActivity,
              subtype: auditSubtype.securityConfiguration,
              action: 'C',
              outcome: '0',
              outcomeDesc: `audit witness ${added.name} registered`,
              recorded: clock(),
              agents: [commandLineActor()],
              entities: [{ description: `audit witness ${added.name}` }],
            }),
          );
          return added;
        });
        printJson(registered);
      }),
    );

  witness
    .command('list')
    .description('the registered witnesses')
    .action(() =>
      run(async ({ store }) => {
        printJson(await listWitnesses(store.db));
      }),
    );

  witness
    .command('run')
    .description(
      'cosign every new checkpoint after checking it extends the last one cosigned; needs no database',
    )
    .requiredOption('--gateway <url>', 'the gateway’s base URL')
    .requiredOption(
      '--log-key <file>',
      'the log’s public key (GET /audit/log-key), obtained out of band',
    )
    .requiredOption('--key <file>', 'the witness private key (enlace audit witness keygen)')
    .requiredOption('--state <file>', 'where the last cosigned checkpoint is kept between runs')
    .option('--interval <seconds>', 'seconds between rounds', '60')
    .option('--once', 'one round, then exit')
    .addHelpText(
      'after',
      `\nExit codes: 0 done (with --once), 1 an error (network, gateway), ${WITNESS_ALARM_EXIT} the log contradicted itself.\n\nExample:\n  enlace audit witness run --gateway https://gw.example.org --log-key log.pub --key witness.key --state witness-state.json`,
    )
    .action(async (options: RunOptions) => {
      const deps = {
        gateway: options.gateway.replace(/\/$/, ''),
        logKey: parseVerifierKey((await readInput(options.logKey)).trim()),
        witnessKey: parseSignerKey((await readInput(options.key)).trim()),
        statePath: options.state,
        fetch,
        now: () => new Date(),
      };
      for (;;) {
        try {
          const verdict = await witnessOnce(deps);
          process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...verdict })}\n`);
        } catch (err) {
          // An alarm ends the run whatever the options: the command line turns it into exit 3.
          if (err instanceof WitnessAlarm || options.once === true) throw err;
          process.stderr.write(`enlace: witness round failed: ${(err as Error).message}\n`);
        }
        if (options.once === true) return;
        await new Promise((resolve) => setTimeout(resolve, Number(options.interval) * 1000));
      }
    });
}
