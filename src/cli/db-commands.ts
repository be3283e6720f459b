// `enlace db setup|migrate`: PostgreSQL roles (a schema owner, an application role held to appending on the audit tables) and migrations run as the owner.
import type { Command } from 'commander';
import { pino, destination } from 'pino';
import { loadConfig } from '../config/index.js';
import { GatewayError } from '../kernel/index.js';
import {
  applyDatabaseSetup,
  databaseSetupScript,
  migrateDatabase,
  type DatabaseRoles,
} from '../store/index.js';
import { printJson } from './io.js';

type Env = Readonly<Record<string, string | undefined>>;

interface SetupOptions {
  readonly ownerRole: string;
  readonly appRole: string;
  readonly print?: boolean;
  readonly apply?: boolean;
  readonly adminUrl?: string;
}

async function runSetup(options: SetupOptions): Promise<void> {
  const roles: DatabaseRoles = { owner: options.ownerRole, app: options.appRole };
  if (options.apply !== true) {
    if (options.adminUrl !== undefined) {
      throw new GatewayError(
        'ENLACE_INVALID_PARAMETER',
        '--admin-url is only used with --apply; without it the SQL is printed',
      );
    }
    process.stdout.write(databaseSetupScript(roles));
    return;
  }
  if (options.print === true) {
    throw new GatewayError('ENLACE_INVALID_PARAMETER', 'choose one of --print and --apply');
  }
  if (options.adminUrl === undefined || !/^postgres(ql)?:\/\//.test(options.adminUrl)) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      "--apply needs --admin-url postgres://… : a superuser's connection to the gateway's database",
    );
  }
  await applyDatabaseSetup(options.adminUrl, roles);
  printJson({ owner: roles.owner, app: roles.app, applied: true });
  process.stderr.write(
    `enlace: roles ready. Set their passwords (psql: \\password ${roles.owner}, \\password ${roles.app}), ` +
      `then run \`enlace db migrate\` with ENLACE_DATABASE_URL naming ${roles.owner}, and the gateway with ` +
      `ENLACE_DATABASE_URL naming ${roles.app} and ENLACE_DATABASE_MIGRATIONS=check.\n`,
  );
}

export function addDbCommands(program: Command, env: Env): void {
  const db = program
    .command('db')
    .description(
      "the gateway's database: PostgreSQL roles and grants (setup), schema migrations (migrate)",
    );

  db.command('setup')
    .description(
      'the SQL creating a schema owner (runs migrations) and an application role (runs the gateway; only SELECT and INSERT on the audit tables): printed, or applied with --apply',
    )
    .option(
      '--owner-role <name>',
      'the role that owns the tables and runs migrations',
      'enlace_owner',
    )
    .option('--app-role <name>', 'the role the gateway connects as', 'enlace_app')
    .option('--print', 'print the SQL on standard output (the default)')
    .option('--apply', "run the SQL through --admin-url (a superuser's connection)")
    .option('--admin-url <url>', "postgres://… of a superuser, to the gateway's database")
    .action((options: SetupOptions) => runSetup(options));

  db.command('migrate')
    .description(
      'apply pending migrations to ENLACE_DATABASE_URL (connect as the schema owner), then hold every other role to SELECT and INSERT on the audit tables',
    )
    .action(async () => {
      const { config } = loadConfig(env);
      const logger = pino({ level: env.ENLACE_LOG_LEVEL ?? 'warn' }, destination(2));
      const report = await migrateDatabase({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        logger,
        pool: config.databasePool,
      });
      printJson({ applied: report.applied });
    });
}
