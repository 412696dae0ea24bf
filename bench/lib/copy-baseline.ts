import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EventGenerator } from './events.js';
import { connect } from './pg.js';

export interface CopyResult {
  rows: number;
  seconds: number;
  rowsPerSec: number;
}

/** Rows per string handed to the socket: large enough to be cheap, small enough to stream. */
const CHUNK_ROWS = 1000;

/**
 * The raw limit: COPY of event rows straight into `events` from one connection, one COPY (so one
 * transaction, one WAL flush) per `batchRows` rows. Rows are generated before the clock starts so
 * that only PostgreSQL is measured.
 * @example await copyBaseline(url, { rows: 500_000, batchRows: 10_000 })
 */
export async function copyBaseline(
  url: string,
  opts: { rows: number; batchRows: number },
): Promise<CopyResult> {
  const gen = new EventGenerator();
  const receivedAt = new Date().toISOString();
  const batches: string[][] = [];
  for (let done = 0; done < opts.rows; done += opts.batchRows) {
    const batch: string[] = [];
    for (let n = 0; n < opts.batchRows; n += CHUNK_ROWS) {
      batch.push(gen.copyRows(Math.min(CHUNK_ROWS, opts.batchRows - n), receivedAt));
    }
    batches.push(batch);
  }

  const sql = connect(url);
  try {
    const started = process.hrtime.bigint();
    for (const batch of batches) {
      const writable = await sql`
        COPY events (id, type, occurred_at, received_at, user_id, course_id, data) FROM STDIN`.writable();
      await pipeline(Readable.from(batch), writable);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rows = batches.length * opts.batchRows;
    return { rows, seconds, rowsPerSec: rows / seconds };
  } finally {
    await sql.end();
  }
}
