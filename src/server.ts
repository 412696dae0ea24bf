import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { createCourseCaches } from './analytics/course-caches.js';
import { buildApp } from './app.js';
import type { Config } from './config/config.js';
import { createEventValidator } from './domain/events/validate.js';
import { GroupCommitter } from './ingest/group-commit.js';
import { FeedHub } from './feed/hub.js';
import { LiveFigures } from './feed/live-figures.js';
import { WebhookDelivery } from './feed/webhook.js';
import { AtRiskWatch } from './feed/at-risk-watch.js';
import { Metrics } from './ops/metrics.js';
import { PROJECTIONS } from './projections/registry.js';
import { rebuildStale } from './projections/replay.js';
import type { Db } from './store/db.js';
import { PartitionManager } from './store/events/partitions.js';
import { migrate } from './store/migrate.js';

export interface Server {
  app: FastifyInstance;
  db: Db;
  committer: GroupCommitter;
  /** Stops taking requests, lets in-flight ones and queued batches commit, closes the database. */
  close(): Promise<void>;
}

/**
 * Prepares a database for serving (migrations, partitions, stale projections) and builds the
 * app on it. Does not listen. The database is owned by the returned server from here on.
 */
export async function createServer(
  config: Config,
  db: Db,
  options: { loggerInstance?: FastifyBaseLogger; now?: () => Date } = {},
): Promise<Server> {
  await migrate(db);
  const partitions = new PartitionManager(db);
  await partitions.ensureCurrent();
  await rebuildStale(db, PROJECTIONS);

  const metrics = new Metrics();
  const courseCaches = createCourseCaches(config.analyticsCacheMs);
  const metricsObserver = metrics.commitObserver();
  const committer = new GroupCommitter({
    db,
    projections: PROJECTIONS,
    partitions,
    maxBatchEvents: config.ingestMaxBatchEvents,
    writers: config.ingestWriters,
    observer: {
      onCommit(info) {
        metricsObserver.onCommit(info);
        courseCaches.invalidate(info.courses);
      },
      onError: (err) => metricsObserver.onError?.(err),
    },
  });
  const now = options.now ?? (() => new Date());
  const hub = new FeedHub(db, {
    onError: (err) => options.loggerInstance?.error({ err }, 'feed read failed'),
  });
  await hub.start();
  const live = new LiveFigures(db, now, 1_000, (err) =>
    options.loggerInstance?.error({ err }, 'live figures failed'),
  );
  hub.add(live);
  const webhook = config.webhookUrl
    ? new WebhookDelivery(db, {
        url: config.webhookUrl,
        secret: config.webhookSecret,
        ...(options.loggerInstance ? { log: options.loggerInstance } : {}),
      })
    : undefined;
  if (webhook) {
    hub.add(webhook);
    webhook.start();
  }
  const atRisk = new AtRiskWatch(db, now, (err) =>
    options.loggerInstance?.error({ err }, 'at-risk check failed'),
  );
  if (config.atRiskCheckMs > 0) atRisk.start(config.atRiskCheckMs);
  const lifecycle = { closing: false };
  const app = await buildApp(
    {
      config,
      db,
      committer,
      projections: PROJECTIONS,
      metrics,
      validateEvent: createEventValidator(),
      now,
      feed: { hub, live },
      courseCaches,
      lifecycle,
    },
    options.loggerInstance ? { loggerInstance: options.loggerInstance } : {},
  );
  let closed: Promise<void> | undefined;
  return {
    app,
    db,
    committer,
    close() {
      closed ??= (async () => {
        lifecycle.closing = true;
        await app.close();
        await committer.close();
        live.stop();
        await atRisk.stop();
        await webhook?.stop();
        await hub.stop();
        await db.close();
      })();
      return closed;
    },
  };
}
