import { retryAfterMs } from './backoff.js';

/** The part of a `fetch` response the tracker reads. */
export interface HttpResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface PostInit {
  method: 'POST' | 'PUT';
  headers: Record<string, string>;
  body: string;
  keepalive: boolean;
}

/** `fetch`, or a stand-in for it in tests. */
export type Fetcher = (url: string, init: PostInit) => Promise<HttpResponse>;

export interface Rejection {
  index: number;
  code: string;
  message: string;
}

/** What one request's answer means for its batch. */
export type Outcome =
  /** Stored or already stored, except `rejected` (invalid, never to be sent again). */
  | { kind: 'ok'; rejected: Rejection[] }
  /** Nothing known to be stored: send again later (after at least `afterMs` when the server said). */
  | { kind: 'retry'; afterMs?: number }
  /** The token was refused: get a new one and send again. */
  | { kind: 'auth' }
  /** The request as a whole was refused as too large or malformed: send its halves on their own. */
  | { kind: 'split'; code: string; message: string };

/**
 * Refusals that are about the request's content: resending the same batch can never succeed,
 * but halves of it can, down to the one event that is at fault.
 */
const REFUSED_AS_INVALID =
  /^(body_too_large|too_many_events|invalid_json|invalid_body|validation_failed|forbidden_json_key|event_user_mismatch)$/;

/**
 * Reads an answer of `POST /api/v1/events`. Only what the server says is wrong with the events
 * leads to dropping anything; every other failure — 5xx, 429, 408, a proxy's 404 or 403, an
 * unreadable 200 — is retried, because the events may be fine and the problem passing.
 */
export async function classify(res: HttpResponse, nowMs: number): Promise<Outcome> {
  let body: { rejected?: Rejection[]; error?: { code?: string; message?: string } } | undefined;
  try {
    body = JSON.parse(await res.text());
  } catch {
    body = undefined;
  }
  if (res.status >= 200 && res.status < 300) {
    return Array.isArray(body?.rejected) ? { kind: 'ok', rejected: body.rejected } : { kind: 'retry' };
  }
  if (res.status === 401) return { kind: 'auth' };
  const code = body?.error?.code ?? '';
  if (res.status === 413 || ((res.status === 400 || res.status === 403) && REFUSED_AS_INVALID.test(code))) {
    return {
      kind: 'split',
      code: code || 'body_too_large',
      message: body?.error?.message ?? `HTTP ${res.status}`,
    };
  }
  const afterMs = retryAfterMs(res.headers.get('retry-after'), nowMs);
  return afterMs === undefined ? { kind: 'retry' } : { kind: 'retry', afterMs };
}
