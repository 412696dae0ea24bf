/**
 * The naive baseline: the ingestion method of the reference design
 * (/work/shared/reference/000-engagement-api.go.txt, `insertEngagementEvents`), served over the
 * same request shape as ours so the same load generator can drive it.
 *
 * What it does, per request: parse the JSON body, then for each event one INSERT statement — a
 * data-modifying CTE that first inserts the id into `event_ids` (ON CONFLICT DO NOTHING) and then
 * the row into `events` only if the id was new, so that it is as idempotent as our server.
 * Nothing is batched across requests. Two modes (NAIVE_MODE):
 * - `reference` (default): the request's statements are pipelined in one transaction, which is
 *   what the reference's `pgx.Batch` + `SendBatch` does (one round trip, one implicit transaction
 *   for the whole request).
 * - `autocommit`: each statement awaited in turn, each its own transaction (one commit per event).
 * Unlike the reference it keeps every event instead of silently dropping all after the 50th.
 *
 * Run: `NAIVE_DATABASE_URL=postgres://… NAIVE_API_KEY=k node --import tsx bench/naive-server.ts --port 3100`
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import postgres from 'postgres';

type Mode = 'reference' | 'autocommit';

interface InputEvent {
  id?: unknown;
  type?: unknown;
  occurredAt?: unknown;
  userId?: unknown;
  courseId?: unknown;
  itemId?: unknown;
  liveSessionId?: unknown;
  clientSessionId?: unknown;
  device?: unknown;
  value?: unknown;
  data?: unknown;
}

const MAX_BODY_BYTES = 1024 * 1024;
const mode: Mode = process.env.NAIVE_MODE === 'autocommit' ? 'autocommit' : 'reference';
const apiKey = process.env.NAIVE_API_KEY ?? 'bench-key';
const portFlag = process.argv.indexOf('--port');
const port = Number(portFlag > 0 ? process.argv[portFlag + 1] : 3100);
// Pool of 10, as the issue asks (pgxpool's default is max(4, cores), so 4 here: 10 is generous).
const sql = postgres(process.env.NAIVE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', {
  max: 10,
  onnotice: () => {},
});

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function insertOne(db: postgres.Sql | postgres.TransactionSql, e: InputEvent, receivedAt: Date) {
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  return db`
    WITH fresh AS (
      INSERT INTO event_ids (id, received_at) VALUES (${str(e.id)}::uuid, ${receivedAt})
      ON CONFLICT DO NOTHING
      RETURNING id
    )
    INSERT INTO events (id, type, occurred_at, received_at, user_id, course_id, item_id,
                        live_session_id, client_session_id, device, value, data)
    SELECT id, ${str(e.type)}, ${str(e.occurredAt) ?? receivedAt}::timestamptz, ${receivedAt},
           ${str(e.userId)}, ${str(e.courseId)}, ${str(e.itemId)}, ${str(e.liveSessionId)},
           ${str(e.clientSessionId)}, ${json(e.device)}::jsonb,
           ${typeof e.value === 'number' ? e.value : null}::float8, ${json(e.data)}::jsonb
    FROM fresh`;
}

/** Stores the events and returns how many were new. */
async function store(events: InputEvent[]): Promise<number> {
  const receivedAt = new Date();
  if (mode === 'reference') {
    // Returning the array from begin() pipelines the statements inside one transaction.
    const results = await sql.begin((tx) => events.map((e) => insertOne(tx, e, receivedAt)));
    return results.reduce((n, r) => n + r.count, 0);
  }
  let accepted = 0;
  for (const e of events) accepted += (await insertOne(sql, e, receivedAt)).count;
  return accepted;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function ingest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.headers.authorization !== `Bearer ${apiKey}`) return send(res, 401, { error: 'unauthorized' });
  const raw = await readBody(req);
  if (raw === undefined) return send(res, 413, { error: 'too large' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return send(res, 400, { error: 'invalid JSON' });
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { events?: unknown }).events;
  if (!Array.isArray(list)) return send(res, 400, { error: 'expected { events: [...] }' });
  // Like the reference, events without the fields the table needs are skipped, not reported.
  const events = (list as InputEvent[]).filter((e) => str(e?.id) && str(e.type) && str(e.userId));
  const accepted = events.length === 0 ? 0 : await store(events);
  send(res, 200, { accepted, duplicates: events.length - accepted, rejected: [] });
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/readyz') return send(res, 200, { ready: true });
  if (req.method === 'POST' && req.url === '/api/v1/events') {
    ingest(req, res).catch((err: Error) => send(res, 500, { error: err.message }));
    return;
  }
  send(res, 404, { error: 'not found' });
});

await sql`SELECT 1`;
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  sql.end({ timeout: 5 }).finally(() => process.exit(0));
});
