// Builds the tracker: an ESM module for bundlers (dist/learnpulse.mjs, readable: the host's
// bundler minifies it), a minified IIFE for <script> tags (dist/learnpulse.min.js, also copied to
// the server's dist/sdk/learnpulse.js, served at /sdk/learnpulse.js) and type declarations.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'dist');
const served = path.join(here, '..', 'dist', 'sdk');
rmSync(out, { recursive: true, force: true });
mkdirSync(served, { recursive: true });

const common = {
  entryPoints: [path.join(here, 'src/index.ts')],
  bundle: true,
  target: 'es2020',
  logLevel: 'warning',
};
await build({ ...common, format: 'esm', outfile: path.join(out, 'learnpulse.mjs') });
await build({
  ...common,
  format: 'iife',
  globalName: 'learnpulse',
  minify: true,
  outfile: path.join(out, 'learnpulse.min.js'),
});
copyFileSync(path.join(out, 'learnpulse.min.js'), path.join(served, 'learnpulse.js'));
execFileSync(
  process.execPath,
  [
    path.join(here, '..', 'node_modules', 'typescript', 'bin', 'tsc'),
    ...[
      '-p',
      path.join(here, 'tsconfig.json'),
      '--noEmit',
      'false',
      '--declaration',
      '--emitDeclarationOnly',
    ],
    ...['--outDir', path.join(out, 'types')],
  ],
  { stdio: 'inherit' },
);

const min = readFileSync(path.join(out, 'learnpulse.min.js'));
console.log(`sdk: learnpulse.min.js ${min.length} bytes, ${gzipSync(min).length} gzipped`);
