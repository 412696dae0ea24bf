// Runs every *.test.ts under src/ and test/ with node's test runner (TypeScript through tsx).
// Node 20's runner takes no globs, so the files are listed here.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function find(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : find(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...find('src'), ...find('test')].sort();
if (!process.env.TEST_DATABASE_URL && !process.env.DATABASE_URL) {
  console.log(
    'No TEST_DATABASE_URL or DATABASE_URL: storage tests run on PGlite only (PostgreSQL run skipped).',
  );
}
// The timeout also bounds each file as a whole: the Chromium files take ~110 s alone and up to
// three minutes beside another file on two cores, so the bound sits well above that.
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-force-exit',
    '--test-timeout=600000',
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
