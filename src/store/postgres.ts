import postgres from 'postgres';
import type { Db, Queryable, Row } from './db.js';

type Sql = postgres.Sql | postgres.TransactionSql;

function wrap(sql: Sql): Queryable {
  return {
    async query<T extends Row = Row>(text: string, params: readonly unknown[] = []) {
      const rows = await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
      // A plain array, as PGlite returns, not postgres.js's Result subclass.
      return Array.from(rows) as unknown as T[];
    },
  };
}

/** Connects to a PostgreSQL server (15 or later) given by a URL. */
export function openPostgres(url: string, options: { max?: number } = {}): Db {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // int8 as numbers, as PGlite returns them: our counters stay far below 2^53.
    types: {
      int8: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
    },
    transform: { undefined: null },
  });
  const base = wrap(sql);
  return {
    engine: 'postgres',
    query: base.query,
    transaction: async (fn) => (await sql.begin((tx) => fn(wrap(tx)))) as Awaited<ReturnType<typeof fn>>,
    exec: async (text) => {
      await sql.unsafe(text);
    },
    listen: async (channel, onMessage, onListening) => {
      // postgres.js keeps one extra connection for its listeners and re-listens after a reconnect.
      const { unlisten } = await sql.listen(channel, onMessage, onListening);
      return unlisten;
    },
    close: () => sql.end({ timeout: 5 }),
  };
}
