// `enlace user add|unlock|disable|revoke-sessions`: operator and auditor accounts; passwords come from a file or stdin, never argv.
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { CREATES_DATA_DIR } from './context.js';
import { printJson, readInput } from './io.js';
import type { RunWithContext } from './partner-commands.js';

export function addUserCommands(program: Command, run: RunWithContext): void {
  const user = program
    .command('user')
    .description('operator and auditor accounts (two-factor sign-in)');

  user
    .command('add <username>')
    .description('create an account; prints the otpauth:// URI to enrol the authenticator app')
    .requiredOption('--role <role>', 'operator or auditor')
    .requiredOption(
      '--password-file <file>',
      'file holding the password (- reads standard input); never pass it on the command line',
    )
    .action((username: string, options: { role: string; passwordFile: string }) =>
      run(async ({ capabilities }) => {
        const password = (await readInput(options.passwordFile)).replace(/\r?\n$/, '');
        const created = await capabilities.people.createPerson({
          username,
          role: options.role,
          password,
          createdBy: userInfo().username,
        });
        printJson({
          id: created.id,
          username: created.username,
          role: created.role,
          otpauth: created.enrolmentUri,
        });
      }, CREATES_DATA_DIR),
    );

  for (const [command, description] of [
    ['unlock', 'end a lockout after repeated failed sign-ins'],
    ['disable', 'refuse every sign-in and session of the account from now on'],
  ] as const) {
    user
      .command(`${command} <username>`)
      .description(description)
      .action((username: string) =>
        run(async ({ capabilities }) => {
          const change = { username, operator: userInfo().username };
          if (command === 'unlock') await capabilities.people.unlockPerson(change);
          else await capabilities.people.disablePerson(change);
          printJson({ username, [command === 'unlock' ? 'unlocked' : 'disabled']: true });
        }),
      );
  }

  user
    .command('revoke-sessions <username>')
    .description('end every session of the account now (it may sign in again; disable stops that)')
    .action((username: string) =>
      run(async ({ capabilities }) => {
        const sessionsRevoked = await capabilities.people.revokeSessions({
          username,
          operator: userInfo().username,
        });
        printJson({ username, sessionsRevoked });
      }),
    );
}
