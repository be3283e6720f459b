// Process entry: configuration, logger, start, signals, graceful shutdown. The only module that exits.
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config/index.js';
import { startGateway, type GatewayOptions } from './gateway.js';

export async function main(
  env: Readonly<Record<string, string | undefined>>,
  options: GatewayOptions = {},
): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`enlace: invalid configuration: ${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const { config, warnings } = loaded;
  const logger = pino({ level: config.logLevel, base: { service: 'enlace' } });
  for (const warning of warnings) logger.warn(warning);
  const gateway = await startGateway(config, logger, options).catch((err: unknown) => {
    logger.fatal({ err }, 'start-up failed');
    logger.flush();
    // Storage and key errors carry an operator-readable message; repeat it as the last line.
    process.stderr.write(
      `enlace: start-up failed: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  });
  logger.info({ url: gateway.url, profile: config.profile }, 'gateway listening');
  process.stdout.write(`Enlace is listening on ${gateway.url} (FHIR base ${gateway.url}/fhir)\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
    gateway.shutdown(config.shutdownGraceMs).then(
      () => {
        logger.info('shutdown complete');
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  await main(process.env);
}
