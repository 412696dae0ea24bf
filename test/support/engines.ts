import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe } from 'node:test';
import postgres from 'postgres';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { dumpPglite, openPglite } from '../../src/store/pglite.js';
import { openPostgres } from '../../src/store/postgres.js';

export type EngineName = 'pglite' | 'postgres';

export interface Engine {
  name: EngineName;
  /** A fresh, migrated database of its own; closed (and dropped) by the caller via `close`. */
  open(): Promise<TestDb>;
}

export interface TestDb {
  db: Db;
  /** For spawning server processes against the same database (PostgreSQL only). */
  url?: string;
  close(): Promise<void>;
}

export const serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;

let templateBlob: Promise<Blob> | undefined;

/** A migrated PGlite dump, made once per test process: loading it skips initdb (seconds). */
function pgliteTemplate(): Promise<Blob> {
  templateBlob ??= (async () => {
    const db = await openPglite('memory://');
    await migrate(db);
    const blob = await dumpPglite(db);
    await db.close();
    return blob;
  })();
  return templateBlob;
}

const pglite: Engine = {
  name: 'pglite',
  async open() {
    const db = await openPglite('memory://', { loadDataDir: await pgliteTemplate() });
    return { db, close: () => db.close() };
  },
};

let counter = 0;

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const server: Engine = {
  name: 'postgres',
  async open() {
    const admin = postgres(serverUrl!, { max: 1, onnotice: () => {} });
    const name = `lp_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = withDatabase(serverUrl!, name);
    const db = openPostgres(url, { max: 12 });
    await migrate(db);
    return {
      db,
      url,
      async close() {
        await db.close();
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      },
    };
  },
};

let warned = false;

/** The engines every storage test runs on: PGlite always, PostgreSQL when a URL is given. */
export function engines(): Engine[] {
  if (serverUrl) return [pglite, server];
  if (!warned) {
    warned = true;
    console.log('# PostgreSQL run skipped: no TEST_DATABASE_URL or DATABASE_URL given (PGlite only)');
  }
  return [pglite];
}

/** Runs the same suite once per engine (kysely's dialect loop). */
export function forEachEngine(fn: (engine: Engine) => void): void {
  for (const engine of engines()) describe(engine.name, () => fn(engine));
}

/**
 * A scratch folder under .test-output, removed when the test process exits (not with `after`:
 * an `after` registered inside a `before` hook runs at once).
 */
export async function scratchDir(label: string): Promise<string> {
  const dir = path.resolve('.test-output', `${label}-${process.pid}-${Date.now().toString(36)}-${counter++}`);
  await fs.mkdir(dir, { recursive: true });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
