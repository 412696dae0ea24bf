import { useCallback, useEffect, useState } from 'react';
import { API, ApiError } from '../lib/api.js';
import { useSession } from '../lib/session-context.js';
import type { Loadable } from '../lib/use-api.js';

/** POSTs a JSON body to the API with the session's token (compare is a POST: its ids go in the body). */
async function postJson<T>(token: string, path: string, body: unknown, signal: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new ApiError(0, 'network_error', 'The server could not be reached.');
  }
  if (!res.ok) {
    const err = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    throw new ApiError(res.status, err?.error?.code ?? 'http_error', err?.error?.message ?? res.statusText);
  }
  return (await res.json()) as T;
}

/**
 * Like useApi, for a read that the API takes as a POST: loads again when the path or the body
 * (compared as JSON) changes and when `reload` is called; null body: nothing to load.
 */
export function usePostApi<T>(path: string, body: unknown): Loadable<T> {
  const { session } = useSession();
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const key = body == null ? null : JSON.stringify(body);

  useEffect(() => {
    if (key === null || !session) return;
    const abort = new AbortController();
    postJson<T>(session.token, path, JSON.parse(key), abort.signal).then(
      (data) => setResult({ state: 'ready', data, reload }),
      (error: unknown) => {
        if (abort.signal.aborted) return;
        setResult({
          state: 'error',
          error: error instanceof ApiError ? error : new ApiError(0, 'unexpected', String(error)),
        });
      },
    );
    return () => abort.abort();
  }, [path, key, session, tick, reload]);

  useEffect(() => {
    setResult({ state: 'loading' });
  }, [path, key]);

  return result;
}
