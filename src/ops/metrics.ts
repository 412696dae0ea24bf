import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { CommitObserver } from '../ingest/group-commit.js';

/** The Prometheus registry of one server process (one per app, so tests can build many). */
export class Metrics {
  readonly registry = new Registry();
  readonly events = new Counter({
    name: 'learnpulse_ingest_events_total',
    help: 'Events received by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'learnpulse_ingest_batch_events',
    help: 'Events per group-commit transaction',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    registers: [this.registry],
  });
  readonly batchRequests = new Histogram({
    name: 'learnpulse_ingest_batch_requests',
    help: 'Requests coalesced into one group-commit transaction',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });
  readonly commitSeconds = new Histogram({
    name: 'learnpulse_ingest_commit_seconds',
    help: 'Time from the start of a group-commit transaction to its commit',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly commitErrors = new Counter({
    name: 'learnpulse_ingest_commit_errors_total',
    help: 'Group-commit transactions that failed',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The group committer reports each transaction here. */
  commitObserver(): CommitObserver {
    return {
      onCommit: ({ events, requests, seconds }) => {
        this.batchSize.observe(events);
        this.batchRequests.observe(requests);
        this.commitSeconds.observe(seconds);
      },
      onError: () => this.commitErrors.inc(),
    };
  }
}
