import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** The browser tracker's minified IIFE (sdk/ → `npm run build`): dist/sdk under the package root. */
export const SDK_SCRIPT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../dist/sdk/learnpulse.js',
);

const NOT_BUILT = `// The learnpulse tracker is not built on this server: run \`npm run build\` (npm install does it), then restart.
console.error('learnpulse: the tracker is not built on this server (npm run build)');
`;

/**
 * Serves the tracker at `/sdk/learnpulse.js` for `<script src>` embedding. The file is read and
 * hashed once at start-up; its name carries no hash, so browsers keep it for 5 minutes and then
 * revalidate with the ETag (a new build shows within minutes, without a full download each time).
 */
export function registerSdkScript(app: FastifyInstance, file = SDK_SCRIPT): void {
  const script = existsSync(file) ? readFileSync(file) : undefined;
  const etag = script && `"${createHash('sha256').update(script).digest('base64url').slice(0, 27)}"`;
  app.get('/sdk/learnpulse.js', { schema: { hide: true } }, async (request, reply) => {
    void reply.type('text/javascript; charset=utf-8');
    if (!script) return reply.status(404).header('cache-control', 'no-store').send(NOT_BUILT);
    void reply.header('cache-control', 'public, max-age=300').header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.send(script);
  });
}
