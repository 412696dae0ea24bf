import { Command, Option } from 'commander';
import { signToken } from '../auth/token.js';
import { loadConfig } from '../config/config.js';
import { withDevCredentials } from '../config/dev-credentials.js';
import { PROJECTIONS } from '../projections/registry.js';
import { replay } from '../projections/replay.js';
import { migrate } from '../store/migrate.js';
import { openDatabase } from '../store/open.js';
import { runDemo } from './demo.js';
import { serve } from './serve.js';

const serverOptions = (cmd: Command) =>
  cmd
    .addOption(new Option('--port <port>', 'port to listen on').env('PORT').default('3000'))
    .addOption(new Option('--host <host>', 'address to bind').env('HOST').default('127.0.0.1'))
    .addOption(
      new Option('--database-url <url>', 'PostgreSQL URL; absent: embedded PGlite').env('DATABASE_URL'),
    )
    .addOption(
      new Option('--data-dir <dir>', 'folder of the embedded database')
        .env('LEARNPULSE_DATA_DIR')
        .default('./data'),
    )
    .addOption(new Option('--api-keys <keys>', 'comma-separated API keys').env('LEARNPULSE_API_KEYS'))
    .addOption(new Option('--jwt-secret <secret>', 'HS256 secret for JWTs').env('LEARNPULSE_JWT_SECRET'))
    .addOption(new Option('--jwks-url <url>', 'JWKS URL for RS256 JWTs').env('LEARNPULSE_JWKS_URL'))
    .addOption(new Option('--log-level <level>', 'pino log level').env('LOG_LEVEL').default('info'));

const program = new Command()
  .name('learnpulse')
  .description('Self-hosted learning-engagement analytics')
  .showHelpAfterError()
  .addHelpText(
    'after',
    '\nMore settings (environment only): LEARNPULSE_MAX_EVENTS_PER_REQUEST (500), LEARNPULSE_BODY_LIMIT_BYTES (1048576),\n' +
      'LEARNPULSE_INGEST_BATCH_EVENTS (5000; PGlite 1000), LEARNPULSE_INGEST_WRITERS (2), LEARNPULSE_DB_POOL (10), NODE_ENV=production.',
  );

serverOptions(program.command('serve').description('run the HTTP server')).action(async (opts) => {
  await serve(opts);
});

serverOptions(program.command('demo').description('run the server with a generated demo platform'))
  .option('--learners <n>', 'number of demo learners', '500')
  .action(async (opts) => {
    await runDemo(opts, Number(opts.learners));
  });

serverOptions(program.command('migrate').description('apply pending database migrations and exit')).action(
  async (opts) => {
    const config = loadConfig(process.env, opts);
    const db = await openDatabase(config);
    try {
      const applied = await migrate(db);
      console.log(
        applied.length ? `Applied migrations: ${applied.join(', ')}` : 'The database is up to date',
      );
    } finally {
      await db.close();
    }
  },
);

serverOptions(
  program.command('replay').description('rebuild every projection from the event log and exit'),
).action(async (opts) => {
  const config = loadConfig(process.env, opts);
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const started = Date.now();
    const result = await replay(db, PROJECTIONS);
    console.log(
      `Replayed ${result.events} events into ${result.projections.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await db.close();
  }
});

program
  .command('token')
  .description('print a development JWT (HS256, signed with LEARNPULSE_JWT_SECRET or the development secret)')
  .requiredOption('--user <id>', 'the user id (sub claim)')
  .addOption(
    new Option('--role <role>', 'role claim').choices(['student', 'instructor', 'admin']).default('student'),
  )
  .option('--name <name>', 'display name claim')
  .option('--expires <duration>', 'lifetime, e.g. 2h, 7d', '24h')
  .addOption(
    new Option('--data-dir <dir>', 'folder holding the development secret')
      .env('LEARNPULSE_DATA_DIR')
      .default('./data'),
  )
  .addOption(new Option('--jwt-secret <secret>', 'HS256 secret').env('LEARNPULSE_JWT_SECRET'))
  .action(async (opts) => {
    const { config } = await withDevCredentials(
      loadConfig(process.env, { dataDir: opts.dataDir, jwtSecret: opts.jwtSecret }),
    );
    if (!config.jwtSecret) throw new Error('No JWT secret: set LEARNPULSE_JWT_SECRET');
    console.log(
      await signToken(
        config.jwtSecret,
        { userId: opts.user, role: opts.role, name: opts.name },
        opts.expires,
      ),
    );
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? `learnpulse: ${err.message}` : err);
  process.exit(1);
});
