// What every `enlace` command works with: the validated configuration and the configured database, opened once.
import { stat } from 'node:fs/promises';
import { destination, pino, type Logger } from 'pino';
import { loadCapabilities, type Capabilities } from '../capabilities.js';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { systemClock, type Clock } from '../kernel/index.js';
import { openStore, toDatabaseLocation, type Store } from '../store/index.js';

export interface CommandContext {
  readonly config: Config;
  /** Keys, policy, PKI and people, loaded as the gateway loads them. */
  readonly capabilities: Capabilities;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface ContextOptions {
  /**
   * Whether the command may create the data directory and its database: only the commands that
   * start a network (`pki init`, `partner register`, `user add`). Every other command refuses
   * to run without them rather than answering from a fresh, empty database.
   */
  readonly createsDataDir?: boolean;
}

export const CREATES_DATA_DIR: ContextOptions = { createsDataDir: true };

const INITIALISING = '`enlace pki init`, `enlace partner register` or `enlace user add`';

/** Opens the database named by the environment, runs `work`, and always closes it. */
export async function withContext<T>(
  env: Readonly<Record<string, string | undefined>>,
  work: (context: CommandContext) => Promise<T>,
  options: ContextOptions = {},
): Promise<T> {
  const { config } = loadConfig(env);
  await checkDataDir(config, options.createsDataDir === true);
  // Commands print results on stdout; their logs go to stderr and stay quiet unless asked.
  const logger = pino({ level: env.ENLACE_LOG_LEVEL ?? 'warn' }, destination(2));
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    logger,
    migrate: config.databaseMigrations,
    pool: config.databasePool,
  });
  try {
    const capabilities = await loadCapabilities(config, store, systemClock);
    return await work({ config, capabilities, store, clock: systemClock, logger });
  } finally {
    await store.close();
  }
}

const isPresent = async (path: string, kind: 'directory' | 'file'): Promise<boolean> => {
  const info = await stat(path).catch(() => undefined);
  return kind === 'directory' ? info?.isDirectory() === true : info?.isFile() === true;
};

/**
 * Why refuse: without ENLACE_DATA_DIR a command works on `./data`, and opening it would create a
 * new database and new keys there — so `partner show` would answer "not found" about a partner
 * that exists in the gateway's real data directory. Refused with exit code 78, nothing created.
 */
async function checkDataDir(config: Config, creates: boolean): Promise<void> {
  const exists = await isPresent(config.dataDir, 'directory');
  if (creates) {
    if (!exists) process.stderr.write(`enlace: creating the data directory ${config.dataDir}\n`);
    return;
  }
  if (!exists) {
    throw new ConfigError(
      `the data directory ${config.dataDir} does not exist; set ENLACE_DATA_DIR to the gateway's data directory, or start a new network there with ${INITIALISING}`,
    );
  }
  const location = toDatabaseLocation(config.databaseUrl, config.dataDir);
  if (location.dialect === 'sqlite' && !(await isPresent(location.path, 'file'))) {
    throw new ConfigError(
      `the data directory ${config.dataDir} holds no database (${location.path}); set ENLACE_DATA_DIR (or ENLACE_DATABASE_URL) to the gateway's, or start a new network there with ${INITIALISING}`,
    );
  }
}
