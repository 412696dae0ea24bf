import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, Row } from './db.js';

interface PGliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

/**
 * PGlite runs each statement on the event loop's thread and settles it as a microtask, so a
 * transaction of many statements would hold the loop for its whole length: no socket read, no
 * connection accepted, no /healthz answered until it ends. Under the ingest benchmark's load new
 * connections then waited seconds to be accepted (p99 9–11 s); letting the loop turn after a
 * statement, at most once in this many milliseconds, brought p99 to 2–3 s (events per second
 * unchanged within the runs' noise).
 */
const HOLD_MS = 20;

function wrap(conn: PGliteLike, turns: { lastAt: number }): Queryable {
  return {
    async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []) {
      const result = await conn.query<T>(sql, params as unknown[]);
      if (performance.now() - turns.lastAt > HOLD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        turns.lastAt = performance.now();
      }
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
  // When a statement last let the event loop turn: shared by the statements in and out of transactions.
  const turns = { lastAt: 0 };
  const base = wrap(pg, turns);
  const db: Db = {
    engine: 'pglite',
    query: base.query,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx, turns))),
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
