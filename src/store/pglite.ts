import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, Row } from './db.js';

interface PGliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

function wrap(conn: PGliteLike): Queryable {
  return {
    async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []) {
      const result = await conn.query<T>(sql, params as unknown[]);
      return result.rows;
    },
  };
}

/**
 * Opens the embedded database. `dataDir` is a folder (created if missing) or `memory://` for
 * tests; `loadDataDir` starts from a dump, which skips initdb (several seconds).
 */
export async function openPglite(dataDir: string, options: { loadDataDir?: Blob } = {}): Promise<Db> {
  if (!dataDir.startsWith('memory://')) await fs.mkdir(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir, options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
  const base = wrap(pg);
  const db: Db = {
    engine: 'pglite',
    query: base.query,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    exec: async (sql) => {
      await pg.exec(sql);
    },
    listen: async (channel, onMessage, onListening) => {
      const stop = await pg.listen(channel, onMessage);
      onListening?.();
      return async () => {
        await stop();
      };
    },
    close: () => pg.close(),
  };
  handles.set(db, pg);
  return db;
}

const handles = new WeakMap<Db, PGlite>();

/** Dumps a database as a tarball that `openPglite(..., { loadDataDir })` can start from. */
export async function dumpPglite(db: Db): Promise<Blob> {
  const inner = handles.get(db);
  if (!inner) throw new Error('not a PGlite database opened by openPglite');
  return (await inner.dumpDataDir('none')) as Blob;
}
