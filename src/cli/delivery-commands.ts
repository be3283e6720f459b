// `enlace deliveries list|retry`: the operator's view of the push outbox, through the SDK's operator session.
import type { Command } from 'commander';
import {
  signInOperator,
  connectOperator,
  type Delivery,
  type OperatorClient,
} from '../sdk/index.js';
import { readInput } from './io.js';
import {
  loadProfile,
  oneOf,
  partnerAction,
  report,
  usageError,
  type PartnerOptions,
} from './partner-session.js';

type Env = Readonly<Record<string, string | undefined>>;

interface OperatorOptions extends PartnerOptions {
  readonly gateway?: string;
  readonly user?: string;
  readonly passwordFile?: string;
  readonly code?: string;
  readonly sessionFile?: string;
}

const STATUSES = ['pending', 'delivered', 'dead'] as const;

function withOperatorOptions(command: Command): Command {
  return command
    .option('--gateway <url>', "the gateway's base URL (default: the profile's)")
    .option('--user <name>', 'operator account to sign in with')
    .option('--password-file <file>', 'file holding the password (- reads standard input)')
    .option('--code <totp>', 'the current 6-digit code of the authenticator app')
    .option('--session-file <file>', 'a file holding a session token, instead of signing in')
    .option('--profile <file>', 'a profile file to take the gateway URL from')
    .option('--json', 'print JSON for scripts instead of lines for people');
}

/** Signs in (and out again afterwards), or uses a session token from a file. */
async function asOperator(
  env: Env,
  options: OperatorOptions,
  work: (operator: OperatorClient) => Promise<void>,
): Promise<void> {
  const gateway = options.gateway ?? (await loadProfile(env, options)).gateway;
  if (options.sessionFile !== undefined) {
    const sessionToken = (await readInput(options.sessionFile)).trim();
    return work(connectOperator({ gateway, sessionToken }));
  }
  if (
    options.user === undefined ||
    options.passwordFile === undefined ||
    options.code === undefined
  ) {
    usageError('sign in with --user, --password-file and --code, or give --session-file');
  }
  const password = (await readInput(options.passwordFile)).replace(/\r?\n$/, '');
  const operator = await signInOperator({
    gateway,
    username: options.user,
    password,
    code: options.code,
  });
  try {
    await work(operator);
  } finally {
    await operator.signOut();
  }
}

const line = (d: Delivery): string =>
  [
    d.id,
    d.kind,
    d.status,
    `to ${d.recipient}`,
    `attempts ${d.attempts}`,
    d.status === 'pending' ? `next ${d.nextAttemptAt}` : (d.deliveredAt ?? ''),
    d.lastError ?? '',
  ]
    .filter((part) => part !== '')
    .join('  ');

const EXAMPLE = `
Signs in with two factors (and out again when done), or uses a session token from --session-file.

Examples:
  enlace deliveries list --gateway https://enlace.example.org --user ana --password-file - --code 123456 --status dead
  enlace deliveries retry 6f1c… --gateway https://enlace.example.org --session-file session.jwt`;

export function addDeliveryCommands(program: Command, env: Env): void {
  const deliveries = program
    .command('deliveries')
    .description('operator: the outbox of pushes to partners — list them, send a dead one again');

  withOperatorOptions(
    deliveries
      .command('list', { isDefault: true })
      .description('deliveries, newest first, without their payload'),
  )
    .option('--status <status>', STATUSES.join(', '))
    .option('--recipient <id>', "only the recipient's")
    .option('--limit <n>', 'at most this many (1-500, default 100)')
    .addHelpText('after', EXAMPLE)
    .action((options: OperatorOptions & { status?: string; recipient?: string; limit?: string }) =>
      partnerAction(options, async () => {
        const limit = options.limit === undefined ? undefined : Number(options.limit);
        if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 500)) {
          usageError('--limit must be a whole number from 1 to 500');
        }
        const filter = {
          ...(options.status === undefined
            ? {}
            : { status: oneOf(STATUSES, options.status, '--status') }),
          ...(options.recipient === undefined ? {} : { recipient: options.recipient }),
          ...(limit === undefined ? {} : { limit }),
        };
        await asOperator(env, options, async (operator) => {
          const found = await operator.deliveries.list(filter);
          report(options, found, found.length === 0 ? 'no deliveries' : found.map(line));
        });
      }),
    );

  withOperatorOptions(
    deliveries
      .command('retry')
      .argument('<id>', 'the delivery id')
      .description('send a dead delivery back to the queue, due now (consent is checked again)'),
  )
    .addHelpText('after', EXAMPLE)
    .action((id: string, options: OperatorOptions) =>
      partnerAction(options, () =>
        asOperator(env, options, async (operator) => {
          const retried = await operator.deliveries.retry(id);
          report(options, retried, `delivery ${retried.id} is ${retried.status} again`);
        }),
      ),
    );
}
