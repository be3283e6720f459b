// `npm run demo`: the whole referral loop on a throw-away gateway, told step by step; `--quiet` prints one final line (for CI).
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createCleanup } from './cleanup.js';
import { createNarrator } from './narrator.js';
import { runDemo, type DemoFacts } from './run-demo.js';

const USAGE = `Usage: npm run demo [-- --quiet]

Starts a gateway on the embedded SQLite database in a temporary directory, registers a police
station, a shelter and an oversight body, and runs a referral through the whole loop with the SDK,
printing each step and the HTTP exchanges behind it. Everything is removed at the end.

  --quiet   print only the final line (exit status 0 on success, 1 on failure)
  --help    this text
`;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function parse(): { quiet: boolean } | undefined {
  try {
    const { values } = parseArgs({
      options: { quiet: { type: 'boolean' }, help: { type: 'boolean' } },
      strict: true,
    });
    if (values.help === true) {
      process.stdout.write(USAGE);
      return undefined;
    }
    return { quiet: values.quiet === true };
  } catch (error) {
    process.stderr.write(
      `demo: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`,
    );
    process.exit(2);
  }
}

/** Since the process started (performance's time origin), so the figure includes loading the code. */
const elapsed = () => `${(performance.now() / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  const options = parse();
  if (options === undefined) return 0;
  const narrator = createNarrator(options);
  const cleanup = createCleanup();
  const facts: DemoFacts = {};
  const where = () =>
    `gateway pid ${facts.gatewayPid ?? 'never started'}, ${facts.dir ?? 'no directory'} removed`;
  // Why all three: a gateway left running would hold the port and keep writing to a deleted directory.
  process.once('exit', () => {
    cleanup.runNow();
  });
  const state = { interrupted: false };
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      state.interrupted = true;
      process.stderr.write(`\ndemo: ${signal} during ${narrator.current()}; cleaning up\n`);
      void cleanup.run().finally(() => process.exit(code));
    });
  }
  if (!options.quiet) process.stdout.write('Enlace demo: one referral through the whole loop\n');
  try {
    const summary = await runDemo({ root, narrator, cleanup, facts });
    await cleanup.run();
    process.stdout.write(
      `${options.quiet ? '' : '\n'}demo: ok — Task/${summary.taskId} sent, pushed, verified, accepted and completed; consent revoked and the shelter told; ${summary.auditEntries} audit entries verified offline in ${elapsed()} (${where()})\n`,
    );
    return 0;
  } catch (error) {
    // An interruption makes the story fail where it stood; the signal handler reports and exits.
    if (state.interrupted) return 1;
    const message = error instanceof Error ? error.message : String(error);
    const log = facts.gatewayOutput?.().trim() ?? '';
    if (!options.quiet && log !== '') process.stderr.write(`\nThe gateway's last words:\n${log}\n`);
    await cleanup.run().catch((cause: unknown) => {
      process.stderr.write(`demo: cleaning up failed too: ${String(cause)}\n`);
    });
    process.stderr.write(
      `demo: FAILED at ${narrator.current()} after ${elapsed()}: ${message} (${where()})\n`,
    );
    return 1;
  }
}

process.exitCode = await main();
