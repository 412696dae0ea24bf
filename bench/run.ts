/**
 * `npm run bench`: every benchmark in turn, each writing its own section of docs/benchmarks.md.
 * BENCH_ONLY=ingest,… runs a subset; each benchmark documents its own settings in its file.
 */
import { analyticsBench } from './analytics.js';
import { feedBench } from './feed.js';
import { ingestBench } from './ingest.js';
import { build } from './lib/build.js';
import { liveBench } from './live.js';
import { videoBench } from './video.js';

const BENCHMARKS: Record<string, (env: NodeJS.ProcessEnv) => Promise<string>> = {
  ingest: ingestBench,
  analytics: analyticsBench,
  video: videoBench,
  live: liveBench,
  feed: feedBench,
};

const only = process.env.BENCH_ONLY?.split(',').map((n) => n.trim());
const unknown = only?.filter((n) => !(n in BENCHMARKS)) ?? [];
if (unknown.length > 0) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}`);

await build();
// Built once above; the benchmarks must not rebuild.
const env = { ...process.env, BENCH_SKIP_BUILD: '1' };
for (const [name, run] of Object.entries(BENCHMARKS)) {
  if (only && !only.includes(name)) continue;
  process.stdout.write(`\n# ${name}\n\n${await run(env)}\n`);
}
