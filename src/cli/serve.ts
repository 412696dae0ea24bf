import pino from 'pino';
import { type Config, type ConfigFlags, loadConfig } from '../config/config.js';
import { withDevCredentials } from '../config/dev-credentials.js';
import { createServer, type Server } from '../server.js';
import { openDatabase } from '../store/open.js';

export interface Running {
  server: Server;
  config: Config;
  url: string;
  logger: pino.Logger;
}

/**
 * Starts the server as `learnpulse serve` does: config, development credentials, database,
 * listen, and a graceful shutdown on SIGTERM/SIGINT that lets in-flight batches commit.
 */
export async function serve(
  flags: ConfigFlags,
  hooks: { beforeListen?: (s: Server, c: Config) => Promise<void> } = {},
): Promise<Running> {
  const base = loadConfig(process.env, flags);
  const logger = pino({ level: base.logLevel, name: 'learnpulse' });
  const { config, generated } = await withDevCredentials(base);
  if (generated.apiKey)
    logger.warn({ apiKey: generated.apiKey }, 'No LEARNPULSE_API_KEYS set: using a development API key');
  if (generated.jwtSecret)
    logger.warn('No LEARNPULSE_JWT_SECRET set: using a development secret (learnpulse token signs with it)');
  if (!config.databaseUrl) {
    logger.info(
      { dataDir: config.dataDir },
      'Opening the embedded database (PGlite); this takes a few seconds and ~0.8 GB',
    );
  }
  const db = await openDatabase(config);
  const server = await createServer(config, db, { loggerInstance: logger.child({ component: 'http' }) });
  await hooks.beforeListen?.(server, config);
  const address = await server.app.listen({ port: config.port, host: config.host });
  logger.info({ address, engine: db.engine }, 'learnpulse is listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down: finishing in-flight requests and batches');
    const force = setTimeout(() => {
      logger.error('Shutdown took too long; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    server.close().then(
      () => {
        logger.info('Stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'Shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${server.app.server.address() && typeof server.app.server.address() === 'object' ? (server.app.server.address() as { port: number }).port : config.port}`;
  return { server, config, url, logger };
}
