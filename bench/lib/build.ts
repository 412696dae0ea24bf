import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository root, where `bin/learnpulse.js` and `docs/` live. */
export const repoDir = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Compiles `src/` into `dist/` so that the server under test is the current source, not a stale
 * build. Skipped with BENCH_SKIP_BUILD=1 (bench/run.ts builds once for all benchmarks).
 */
export async function build(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (['1', 'true', 'yes'].includes((env.BENCH_SKIP_BUILD ?? '').toLowerCase())) return;
  process.stderr.write('[bench] npm run build\n');
  await promisify(execFile)('npm', ['run', 'build'], { cwd: repoDir });
}
