// What every `enlace` command works with: the validated configuration and the configured database, opened once.
import { destination, pino, type Logger } from 'pino';
import { loadCapabilities, type Capabilities } from '../capabilities.js';
import { loadConfig, type Config } from '../config/index.js';
import { systemClock, type Clock } from '../kernel/index.js';
import { openStore, type Store } from '../store/index.js';

export interface CommandContext {
  readonly config: Config;
  /** Keys, policy, PKI and people, loaded as the gateway loads them. */
  readonly capabilities: Capabilities;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Opens the database named by the environment, runs `work`, and always closes it. */
export async function withContext<T>(
  env: Readonly<Record<string, string | undefined>>,
  work: (context: CommandContext) => Promise<T>,
): Promise<T> {
  const { config } = loadConfig(env);
  // Commands print results on stdout; their logs go to stderr and stay quiet unless asked.
  const logger = pino({ level: env.ENLACE_LOG_LEVEL ?? 'warn' }, destination(2));
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    logger,
  });
  try {
    const capabilities = await loadCapabilities(config, store, systemClock);
    return await work({ config, capabilities, store, clock: systemClock, logger });
  } finally {
    await store.close();
  }
}
