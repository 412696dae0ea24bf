import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The built dashboard (web/ → `npm run build`): dist/web under the package root, from src/ or dist/. */
export const DASHBOARD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>learnpulse</title>
<p>The dashboard is not built yet: run <code>npm run build</code> (npm install does it), then reload.
The API is at <a href="/docs">/docs</a>.</p>`;

/**
 * Serves the dashboard at `/`. Its assets have content hashes in their names, so they are cached
 * for a year; index.html is revalidated every time, so a new build shows at once.
 */
export async function registerDashboard(app: FastifyInstance, dir = DASHBOARD_DIR): Promise<void> {
  if (!existsSync(path.join(dir, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(NOT_BUILT),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    index: ['index.html'],
    cacheControl: false,
    setHeaders(res, file) {
      res.setHeader(
        'cache-control',
        file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
    },
  });
}
