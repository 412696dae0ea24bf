import path from 'node:path';

/** Everything the server needs, read once at start-up, validated and frozen. */
export interface Config {
  readonly port: number;
  readonly host: string;
  /** Absent: embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly apiKeys: readonly string[];
  readonly jwtSecret: string | undefined;
  readonly jwksUrl: string | undefined;
  readonly production: boolean;
  readonly logLevel: string;
  readonly maxEventsPerRequest: number;
  readonly bodyLimitBytes: number;
  /** Upper bound of events committed in one group-commit transaction. */
  readonly ingestMaxBatchEvents: number;
  /** Group-commit transactions allowed in flight at once (PGlite is always 1). */
  readonly ingestWriters: number;
  /** How long a computed course roster may be reused (0: never), milliseconds. */
  readonly analyticsCacheMs: number;
  readonly databasePoolSize: number;
  /** How often an idle feed stream gets a comment line, so proxies keep it open, milliseconds. */
  readonly feedPingMs: number;
  /** Bytes a feed stream may have waiting to be sent before its client is told to resync. */
  readonly feedMaxBufferBytes: number;
  /** How often every course's at-risk learners are checked for changes to announce (0: never), ms. */
  readonly atRiskCheckMs: number;
  /** Where milestone feed items are POSTed (absent: no webhook). */
  readonly webhookUrl: string | undefined;
  /** Signs webhook bodies (HMAC-SHA256) when set. */
  readonly webhookSecret: string | undefined;
  /** Origins whose pages may call the API (the browser tracker on a platform's own site); `*`: any; empty: none. */
  readonly corsOrigins: readonly string[];
}

/** Flags given on the command line; each overrides the environment variable of the same meaning. */
export interface ConfigFlags {
  port?: string;
  host?: string;
  databaseUrl?: string;
  dataDir?: string;
  apiKeys?: string;
  jwtSecret?: string;
  jwksUrl?: string;
  logLevel?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/**
 * `LEARNPULSE_CORS_ORIGINS`: comma-separated origins, or `*`. Unset: `*` outside production (a
 * tracker on a local platform just works) and none in production, where the operator names them.
 */
function corsOrigins(raw: string | undefined, production: boolean): string[] {
  if (raw === undefined) return production ? [] : ['*'];
  const origins = raw
    .split(',')
    .map((o) => o.trim().replace(/\/$/, ''))
    .filter((o) => o.length > 0);
  for (const o of origins) {
    if (o !== '*' && !/^https?:\/\/[^/\s?#]+$/.test(o)) {
      throw new ConfigError(
        `LEARNPULSE_CORS_ORIGINS takes origins like https://lms.example.org (scheme and host, no path), got "${o}"`,
      );
    }
  }
  return origins.includes('*') ? ['*'] : origins;
}

function nonEmpty(raw: string | undefined): string | undefined {
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

/**
 * Builds the configuration from the environment and CLI flags.
 * @example loadConfig(process.env, { port: '8080' })
 */
export function loadConfig(env: NodeJS.ProcessEnv, flags: ConfigFlags = {}): Config {
  const databaseUrl = nonEmpty(flags.databaseUrl ?? env.DATABASE_URL);
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const jwksUrl = nonEmpty(flags.jwksUrl ?? env.LEARNPULSE_JWKS_URL);
  if (jwksUrl && !/^https?:\/\//.test(jwksUrl))
    throw new ConfigError('LEARNPULSE_JWKS_URL must be an http(s) URL');
  const apiKeys = (flags.apiKeys ?? env.LEARNPULSE_API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  for (const key of apiKeys) {
    if (key.length < 8) throw new ConfigError('API keys must be at least 8 characters long');
  }
  const webhookUrl = nonEmpty(env.LEARNPULSE_WEBHOOK_URL);
  if (webhookUrl !== undefined && !/^https?:\/\//.test(webhookUrl))
    throw new ConfigError('LEARNPULSE_WEBHOOK_URL must be an http(s) URL');
  const jwtSecret = nonEmpty(flags.jwtSecret ?? env.LEARNPULSE_JWT_SECRET);
  if (jwtSecret && jwtSecret.length < 16)
    throw new ConfigError('LEARNPULSE_JWT_SECRET must be at least 16 characters');

  const config: Config = {
    port: integer('PORT', flags.port ?? env.PORT, 3000, 0, 65535),
    host: nonEmpty(flags.host ?? env.HOST) ?? '127.0.0.1',
    databaseUrl,
    dataDir: path.resolve(nonEmpty(flags.dataDir ?? env.LEARNPULSE_DATA_DIR) ?? './data'),
    apiKeys,
    jwtSecret,
    jwksUrl,
    production: env.NODE_ENV === 'production',
    logLevel: nonEmpty(flags.logLevel ?? env.LOG_LEVEL) ?? 'info',
    maxEventsPerRequest: integer(
      'LEARNPULSE_MAX_EVENTS_PER_REQUEST',
      env.LEARNPULSE_MAX_EVENTS_PER_REQUEST,
      500,
      1,
      100_000,
    ),
    bodyLimitBytes: integer(
      'LEARNPULSE_BODY_LIMIT_BYTES',
      env.LEARNPULSE_BODY_LIMIT_BYTES,
      1024 * 1024,
      1024,
      1 << 30,
    ),
    // PGlite runs on the event loop's thread: a smaller batch keeps each transaction's pause of
    // the server short (same throughput in the benchmark; its p99 still varies from run to run).
    ingestMaxBatchEvents: integer(
      'LEARNPULSE_INGEST_BATCH_EVENTS',
      env.LEARNPULSE_INGEST_BATCH_EVENTS,
      databaseUrl ? 5000 : 1000,
      1,
      100_000,
    ),
    ingestWriters: integer('LEARNPULSE_INGEST_WRITERS', env.LEARNPULSE_INGEST_WRITERS, 2, 1, 32),
    analyticsCacheMs: integer(
      'LEARNPULSE_ANALYTICS_CACHE_MS',
      env.LEARNPULSE_ANALYTICS_CACHE_MS,
      2000,
      0,
      60_000,
    ),
    databasePoolSize: integer('LEARNPULSE_DB_POOL', env.LEARNPULSE_DB_POOL, 10, 2, 200),
    feedPingMs: integer('LEARNPULSE_FEED_PING_MS', env.LEARNPULSE_FEED_PING_MS, 15_000, 100, 600_000),
    atRiskCheckMs: integer(
      'LEARNPULSE_AT_RISK_CHECK_MS',
      env.LEARNPULSE_AT_RISK_CHECK_MS,
      300_000,
      0,
      86_400_000,
    ),
    feedMaxBufferBytes: integer(
      'LEARNPULSE_FEED_MAX_BUFFER_BYTES',
      env.LEARNPULSE_FEED_MAX_BUFFER_BYTES,
      1_048_576,
      1024,
      1_073_741_824,
    ),
    webhookUrl,
    webhookSecret: nonEmpty(env.LEARNPULSE_WEBHOOK_SECRET),
    corsOrigins: corsOrigins(env.LEARNPULSE_CORS_ORIGINS, env.NODE_ENV === 'production'),
  };
  return Object.freeze(config);
}
